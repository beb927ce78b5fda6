"""Erlang C / Erlang A against published values and against each other."""

from __future__ import annotations

import math

import pytest

from rightresponse.core.staffing import (
    erlang_a_performance,
    erlang_c,
    erlang_c_performance,
    relief_factor,
    scheduled_staff,
    servers_needed,
    staffing_plan,
)


def test_erlang_c_textbook_value() -> None:
    # Offered load 10 erlangs on 11 servers: C = 0.6821 (standard Erlang C table).
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=1e-4)
    # 2 erlangs on 3 servers: C = 4/9 (closed form).
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)


def test_erlang_c_unstable_queue_always_waits() -> None:
    assert erlang_c(5, 5.0) == 1.0
    perf = erlang_c_performance(5, 300, 60)  # 5 erlangs on 5 call takers
    assert math.isinf(perf.mean_wait_seconds)
    assert not perf.meets()


def test_service_level_formula() -> None:
    # 360 calls/h x 60 s = 6 erlangs on 8 servers.
    perf = erlang_c_performance(8, 360, 60, thresholds=(15.0,))
    c = erlang_c(8, 6.0)
    assert perf.answered_within[0][1] == pytest.approx(1 - c * math.exp(-(8 - 6) * 15 / 60))
    assert perf.mean_wait_seconds == pytest.approx(c * 60 / 2)


def test_servers_needed_meets_nena_and_one_fewer_does_not() -> None:
    perf = servers_needed(calls_per_hour=120, handle_seconds=90)
    assert perf.meets()
    worse = erlang_c_performance(perf.servers - 1, 120, 90)
    assert not worse.meets()


def test_erlang_a_tends_to_erlang_c_with_infinite_patience() -> None:
    c = erlang_c_performance(8, 360, 60)
    a = erlang_a_performance(8, 360, 60, patience_seconds=1e9)
    assert a.probability_wait == pytest.approx(c.probability_wait, rel=1e-3)
    for (_, sc), (_, sa) in zip(c.answered_within, a.answered_within, strict=True):
        assert sa == pytest.approx(sc, abs=1e-3)
    assert a.abandon_share < 1e-6


def test_erlang_a_abandonment_lowers_waits_and_staff() -> None:
    # Heavy load: impatient callers hang up, so fewer wait and fewer call takers meet
    # the standard than Erlang C says (the known over-staffing of Erlang C).
    c = erlang_c_performance(11, 600, 60)
    a = erlang_a_performance(11, 600, 60, patience_seconds=60)
    assert a.probability_wait < c.probability_wait
    assert 0 < a.abandon_share < 0.2
    assert servers_needed(600, 60, patience_seconds=30).servers <= servers_needed(600, 60).servers


def test_erlang_a_against_birth_death_closed_form_single_server() -> None:
    # M/M/1+M with lambda = mu = theta = 1/60 s: p_k = p_0 / k!, so P(wait) = 1 - e^-1.
    perf = erlang_a_performance(1, 60, 60, patience_seconds=60)
    assert perf.probability_wait == pytest.approx(1 - math.exp(-1), rel=1e-6)


def test_relief_factor_twenty_four_seven_is_about_five() -> None:
    assert relief_factor() == pytest.approx(8760 / 1750)  # 5.006
    assert 4.5 < relief_factor(2080, 250) < 5.0  # fewer leave hours, fewer people
    assert scheduled_staff(7, 0.3) == pytest.approx(10.0)
    with pytest.raises(ValueError, match="shrinkage"):
        scheduled_staff(7, 1.0)


def test_staffing_plan_per_half_hour() -> None:
    plan = staffing_plan([10, 40, 80, 0], handle_seconds=100, shrinkage=0.25)
    assert [p.start_minute for p in plan] == [0, 30, 60, 90]
    assert plan[0].on_floor < plan[1].on_floor < plan[2].on_floor
    assert all(p.performance.meets() for p in plan)
    assert plan[2].scheduled == pytest.approx(plan[2].on_floor / 0.75)
    with pytest.raises(ValueError, match="interval 1"):
        staffing_plan([1, -1], 60)
    with pytest.raises(ValueError, match="handle times"):
        staffing_plan([1, 2], [60])

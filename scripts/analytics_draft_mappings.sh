#!/bin/sh
# Regenerate the shipped call-type mappings from the real extracts and the Vera taxonomy
# (rows already in a mapping are kept: delete a file to redraft it). Needs shared/data/real.
set -eu
R=${RIGHTRESPONSE_SHARED_DATA:-../shared/data/real}
V=$R/vera-twosigma-911-taxonomy/CallTypes_TS__CallTypes.csv
M=src/rightresponse/analytics/mappings
RR=${RR:-.venv/bin/rightresponse}
$RR draft-mapping --profile seattle-call-data --out $M/seattle.csv --vera "$V" --vera-city Seattle "$R"/seattle-call-data-sample/seattle_east_c3_2018-2023.csv
$RR draft-mapping --profile seattle-call-data-study --out $M/seattle.csv "$R"/seattle-call-data-sample/seattle_*_2010-2023.csv
$RR draft-mapping --profile new-orleans-cfs --out $M/new-orleans.csv --vera "$V" --vera-city "New Orleans"
$RR draft-mapping --profile slo-police-log --out $M/slo.csv "$R"/slo-police-call-log/*.csv
$RR draft-mapping --profile san-antonio-sapd --out $M/san-antonio.csv "$R"/san-antonio-sapd-calls-2025/*.csv
$RR draft-mapping --profile decc-cad --out $M/decc.csv "$R"/decc-cad-weekly-2025/*.csv

"""Pure rules of the service ecosystem (issue 6): the referral state machine, consent and
sharing, HSDS mapping and validation, open-now schedules and second-response rules.

No Django imports: the ecosystem app persists and authorises; these modules decide.
"""

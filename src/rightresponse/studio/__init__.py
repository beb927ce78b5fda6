"""The protocol studio (issue 19): drafts, versions, approval and publishing of the triage
protocol in the app, with a semantic diff, example calls and an impact preview."""

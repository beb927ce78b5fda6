"""RightResponse: the right response, from the right responder, at the right time."""

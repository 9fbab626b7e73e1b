"""A scripted server for httpx ``MockTransport``: answers in order, keeping every request."""

from __future__ import annotations

import httpx


class Server:
    """Answers from a list of responses (the last one repeats) and records every request."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

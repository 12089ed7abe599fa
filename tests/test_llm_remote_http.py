"""The remote path (LangChain's ChatOpenAI and OpenAI classes) over real HTTP against a scripted
OpenAI-compatible server: what goes on the wire, the schema fallback, usage per run, and faults.

The server is a fake (a scripted stand-in for llama_cpp.server, named as such); the real server
is exercised by the integration tests in test_llm_schema.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from copilot.errors import LLMError
from copilot.llm.base import ChatMessage
from copilot.llm.registry import create_llm
from copilot.llm.usage import run_usage
from copilot.settings import Settings

Reply = tuple[int, dict[str, Any]]


class ScriptedServer:
    """Answers each POST with the next scripted reply, recording the request bodies."""

    def __init__(self, script: Callable[[dict[str, Any]], Reply]) -> None:
        self.bodies: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.bodies.append(body)
                status, payload = script(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def _chat_reply(text: str, prompt: int = 11, completion: int = 7) -> Reply:
    return 200, {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[dict[str, Any]], Reply]], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(script: Callable[[dict[str, Any]], Reply]) -> ScriptedServer:
        servers.append(ScriptedServer(script))
        return servers[-1]

    yield start
    for s in servers:
        s.httpd.shutdown()


def _llm(url: str, **kw: object) -> Any:
    s = Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_provider="openai_compatible",
        llm_base_url=url,
        llm_model="served-model",
        llm_prompt_style="chat",
        **{"llm_max_retries": 0, **kw},
    )
    return create_llm(s)


SCHEMA = {"title": "Reply", "type": "object", "properties": {"subject": {"type": "string"}}}
ASK = [ChatMessage(role="user", content="One subject line as JSON.")]


def test_a_server_that_refuses_json_schema_gets_json_object_with_the_schema(serve) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if body.get("response_format", {}).get("type") == "json_schema":
            return 500, {"error": {"message": "response_format: Input should be 'json_object'"}}
        return _chat_reply('{"subject": "Fresh beans"}')

    server = serve(script)
    llm = _llm(server.url)
    with run_usage() as usage:
        first = llm.chat(ASK, max_tokens=40, schema=SCHEMA)
        second = llm.chat(ASK, max_tokens=40, schema=SCHEMA)
    assert first.text == second.text == '{"subject": "Fresh beans"}'
    kinds = [b["response_format"]["type"] for b in server.bodies]
    assert kinds == ["json_schema", "json_object", "json_object"]  # it settles after one refusal
    assert server.bodies[1]["response_format"]["schema"] == SCHEMA
    # the length goes as max_tokens, which llama_cpp.server reads
    assert all(b["max_tokens"] == 40 for b in server.bodies)
    # the refused call cost nothing; the two answered calls are counted from the server's usage
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (2, 22, 14)


def test_a_reply_cut_at_max_tokens_is_returned_for_the_re_ask_not_raised(serve) -> None:
    def script(_body: dict[str, Any]) -> Reply:
        status, payload = _chat_reply('{"subject": "Fresh be')
        payload["choices"][0]["finish_reason"] = "length"
        return status, payload

    llm = _llm(serve(script).url, llm_json_schema="json_object")
    out = llm.chat(ASK, max_tokens=5, schema=SCHEMA)
    assert out.text == '{"subject": "Fresh be' and out.finish_reason == "length"


def test_server_errors_become_one_line_naming_the_call_and_status(serve) -> None:
    server = serve(lambda _b: (500, {"error": {"message": "boom"}}))
    llm = _llm(server.url, llm_json_schema="off")
    with pytest.raises(LLMError, match=r"^openai_compatible chat failed: HTTP 500$"):
        llm.chat(ASK, max_tokens=5)
    assert len(server.bodies) == 1  # llm_max_retries=0: no retry


def test_retries_are_bounded_by_the_setting(serve) -> None:
    calls: list[int] = []

    def script(_body: dict[str, Any]) -> Reply:
        calls.append(1)
        if len(calls) < 3:
            return 503, {"error": {"message": "busy"}}
        return _chat_reply("fine")

    llm = _llm(serve(script).url, llm_json_schema="off", llm_max_retries=2)
    assert llm.chat(ASK, max_tokens=5).text == "fine"
    assert len(calls) == 3

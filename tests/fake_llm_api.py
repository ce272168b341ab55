"""A fake Anthropic Messages API (with Message Batches) and OpenAI chat endpoint on 127.0.0.1.

In-process: `FakeAPI()` starts a thread and records every request. As a separate process:
`python tests/fake_llm_api.py LOGFILE` prints its port on stdout and appends each request body
to LOGFILE as a JSON line.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NARRATIVE = "NARRATIVE-FROM-FAKE-MODEL"


STYLES = ("sections", "levels", "prose", "short", "empty", "refusal")


def answer_for(prompt: str, style: str = "sections") -> str:
    """A deterministic answer naming the day (and part): in the four sections asked for, or
    in one of the ways real models answer instead (`STYLES`)."""
    date = re.search(r"Date: (\d{4}-\d{2}-\d{2})", prompt)
    combined = prompt.startswith("Below are summaries of the")
    part = re.search(r"This is part (\d+) of (\d+)", prompt)
    day = date.group(1) if date else re.search(r"\d{4}-\d{2}-\d{2}", prompt).group(0)  # type: ignore[union-attr]
    where = "combined" if combined else (f"part {part.group(1)}" if part else "whole day")
    if style == "empty":
        return ""
    if style == "short":
        return "Done."
    if style == "refusal":
        return "I'm sorry, but I can't help with summarizing this conversation."
    if style == "prose":
        return (
            f"{NARRATIVE} for {day} ({where}): in the morning the person planned the cache "
            "layer; later the agent ran commands and the release checklist was drafted."
        )
    if style == "levels":
        return (
            f"# Daily memory {day}\n\n**Key Decisions:**\n- Use SQLite WAL mode for the cache.\n\n"
            f"### Session Flow\n{NARRATIVE} for {day} ({where}): the person planned the cache "
            "layer.\n\nTopics: cache layer, release checklist\n"
        )
    return (
        f"## Session Flow\n{NARRATIVE} for {day} ({where}): the person planned the cache layer "
        "and the agent ran commands.\n\n## Topics Covered\n- cache layer\n- release checklist\n\n"
        "## Key Decisions\n- Use SQLite WAL mode for the cache.\n\n"
        "## Technical Details\n- `ls -la`\n"
    )


def message(prompt: str, model: str, style: str = "sections") -> dict[str, Any]:
    return {
        "id": f"msg_{abs(hash(prompt)) % 10**12}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": answer_for(prompt, style)}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": len(prompt) // 4, "output_tokens": 120},
    }


class State:
    """What the fake has seen and will do."""

    def __init__(self, log_path: str | None = None) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []  # (path, JSON body), in order
        self.gets: list[str] = []
        self.fail_next: list[int] = []  # status codes for the next /v1/messages calls
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls_until_done = 2
        self.unknown_models: set[str] = set()
        self.style = "sections"  # how the model answers (STYLES)
        self.log_path = log_path
        self.lock = threading.Lock()

    def record(self, path: str, body: dict[str, Any]) -> None:
        with self.lock:
            self.posts.append((path, body))
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"path": path, "body": body}) + "\n")


def make_handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(
            self,
            status: int,
            payload: Any,
            headers: dict[str, str] | None = None,
            raw: bytes | None = None,
        ) -> None:
            data = raw if raw is not None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            size = int(self.headers.get("content-length", "0"))
            return json.loads(self.rfile.read(size) or b"{}")

        def do_POST(self) -> None:
            body = self._body()
            path = self.path.split("?")[0]
            state.record(path, body)
            if path == "/v1/messages":
                with state.lock:
                    fail = state.fail_next.pop(0) if state.fail_next else None
                if fail:
                    self._send(
                        fail,
                        {
                            "type": "error",
                            "error": {"type": "overloaded_error", "message": "Overloaded"},
                        },
                        {"retry-after-ms": "5"},
                    )
                    return
                if body.get("model") in state.unknown_models:
                    self._send(
                        404,
                        {
                            "type": "error",
                            "error": {
                                "type": "not_found_error",
                                "message": f"model: {body.get('model')}",
                            },
                        },
                    )
                    return
                prompt = body["messages"][0]["content"]
                self._send(200, message(prompt, body["model"], state.style))
            elif path == "/v1/messages/batches":
                batch_id = f"msgbatch_{len(state.batches) + 1:04d}"
                state.batches[batch_id] = {"requests": body["requests"], "polls": 0}
                self._send(200, self._batch(batch_id))
            elif path == "/v1/chat/completions":
                prompt = body["messages"][-1]["content"]
                self._send(
                    200,
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {
                                    "role": "assistant",
                                    "content": answer_for(prompt, state.style),
                                },
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )
            else:
                self._send(
                    404, {"type": "error", "error": {"type": "not_found_error", "message": path}}
                )

        def _batch(self, batch_id: str) -> dict[str, Any]:
            batch = state.batches[batch_id]
            done = batch["polls"] >= state.polls_until_done
            n = len(batch["requests"])
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            return {
                "id": batch_id,
                "type": "message_batch",
                "processing_status": "ended" if done else "in_progress",
                "request_counts": {
                    "processing": 0 if done else n,
                    "succeeded": n if done else 0,
                    "errored": 0,
                    "canceled": 0,
                    "expired": 0,
                },
                "created_at": "2026-11-27T10:00:00Z",
                "expires_at": "2026-11-28T10:00:00Z",
                "ended_at": "2026-11-27T10:05:00Z" if done else None,
                "cancel_initiated_at": None,
                "archived_at": None,
                "results_url": f"{host}/v1/messages/batches/{batch_id}/results" if done else None,
            }

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            state.gets.append(path)
            match = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/results)?", path)
            if not match or match.group(1) not in state.batches:
                self._send(
                    404, {"type": "error", "error": {"type": "not_found_error", "message": path}}
                )
                return
            batch_id = match.group(1)
            if match.group(2):
                lines = [
                    json.dumps(
                        {
                            "custom_id": r["custom_id"],
                            "result": {
                                "type": "succeeded",
                                "message": message(
                                    r["params"]["messages"][0]["content"],
                                    r["params"]["model"],
                                    state.style,
                                ),
                            },
                        }
                    )
                    for r in state.batches[batch_id]["requests"]
                ]
                self._send(200, None, raw=("\n".join(lines) + "\n").encode())
                return
            state.batches[batch_id]["polls"] += 1
            self._send(200, self._batch(batch_id))

    return Handler


class FakeAPI:
    """The fake server in a background thread (a context manager)."""

    def __init__(self, log_path: str | None = None) -> None:
        self.state = State(log_path)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path: str = "/v1/messages") -> list[dict[str, Any]]:
        """The JSON bodies POSTed to `path`."""
        return [body for p, body in self.state.posts if p == path]


if __name__ == "__main__":
    api = FakeAPI(sys.argv[1] if len(sys.argv) > 1 else None)
    api.thread.start()
    print(api.url.rsplit(":", 1)[1], flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass

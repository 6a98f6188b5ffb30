"""Every answer the e2e tests receive through Server.get / Server.request is checked against the server's own
/openapi.json: its status must be documented for the operation (or fall under `default`), its media type must be the
documented one, and a JSON body must match the documented schema (python3-jsonschema, draft 2020-12). Response
schemas list every field, required and nothing else, so a field added, dropped or retyped in a handler without its
declaration fails whichever test meets it."""

from __future__ import annotations

import os
import re
import urllib.parse
import warnings

import jsonschema
import requests

_documents: dict[str, tuple[dict, list]] = {}


def _operations(base_url: str, binary: str) -> tuple[dict, list]:
    if binary not in _documents:
        # The same binary serves the same document; TLS test servers have self-signed certificates.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = requests.get(base_url + "/openapi.json", timeout=10, verify=False).json()
        operations = []
        for template, item in doc["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            for method, operation in item.items():
                operations.append((method.upper(), pattern, template.count("{"), operation))
        _documents[binary] = (doc, operations)
    return _documents[binary]


def check_response(base_url: str, binary: str, method: str, path: str, resp: requests.Response) -> None:
    if resp.status_code == 101:
        return
    doc, operations = _operations(base_url, binary)
    route = urllib.parse.urlsplit(path).path
    found = sorted((params, operation) for m, pattern, params, operation in operations
                   if m == method.upper() and pattern.match(route))
    if not found:
        return  # no such route: the router's own 404/405, not an operation's answer
    operation = found[0][1]  # a literal segment wins over a parameter (/users/me before /users/{id})
    where = f"{method.upper()} {route} -> {resp.status_code}"
    if os.environ.get("GATEHOUSE_CONTRACT_LOG"):  # which operations and statuses a run checked
        with open(os.environ["GATEHOUSE_CONTRACT_LOG"], "a") as log:
            log.write(f"{operation['operationId']} {resp.status_code}\n")
    entry = operation["responses"].get(str(resp.status_code)) or operation["responses"].get("default")
    assert entry is not None, f"{where}: the status is not documented"
    content = entry.get("content")
    if not content or not resp.content:
        return
    media = resp.headers.get("Content-Type", "").split(";")[0].strip()
    assert media in content, f"{where}: answered {media}, documented {sorted(content)}"
    schema = content[media].get("schema")
    if not schema or not media.endswith("json"):
        return
    root = {**schema, "components": doc["components"]}
    errors = sorted(jsonschema.Draft202012Validator(root).iter_errors(resp.json()), key=lambda e: list(e.path))
    assert not errors, f"{where}: the body breaks its documented schema: " + "; ".join(
        f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}" for e in errors[:5])

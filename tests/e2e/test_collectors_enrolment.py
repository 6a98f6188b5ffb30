"""Collectors: enrolment (enrolment tokens, operator tokens, CSRs), the mTLS listener and each of its refusals,
renewal, configs with ETags, and the collector list."""

from __future__ import annotations

import time

import pytest
import requests

from collectors_support import common_name, csr_pem, enrol, foreign_client, new_key, sample, signed_by
from support import API, admin_login, assert_problem, bearer, create_api_token, wait_audit


@pytest.fixture(scope="module")
def gh(start_module_server):
    from support import start_identity

    # Collector tokens live 3 s here, so a test can see one expire.
    return start_identity(start_module_server, "--collectors-token-ttl-s", "3")


def refused_at_handshake(collector_url: str, cert=None, verify=None) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{collector_url}{API}/metrics", json={"batch_id": "x", "samples": []}, cert=cert,
                      verify=verify or False, timeout=5)


def test_enrolment_token_is_one_use_and_csr_keeps_the_key_home(gh, roles, tmp_path):
    assert gh.collectors_url and gh.collectors_url.startswith("https://127.0.0.1:")
    resp = gh.request("POST", f"{API}/collectors/enrolment-tokens", headers=roles.operator,
                      json={"ttl_s": 600, "note": "db hosts"})
    assert resp.status_code == 201, resp.text
    enrolment = resp.json()["token"]
    assert gh.request("POST", f"{API}/collectors/enrolment-tokens", headers=roles.viewer, json={}).status_code == 403
    collector = enrol(gh, {}, tmp_path, bearer_token=enrolment)
    reg = collector.registration
    assert "private_key" not in reg, "a CSR was sent: no key may cross the wire"
    assert common_name(reg["certificate"]) == collector.id
    assert signed_by(reg["certificate"], reg["ca_certificate"])
    assert reg["config"]["version"] == 1 and reg["config"]["intervals"]["connections"] == 15
    # One use only.
    again = gh.request("POST", f"{API}/collectors/register", headers=bearer(enrolment),
                       json={"name": "second", "hostname": "h", "csr": csr_pem(new_key())})
    assert assert_problem(again, 401)["detail"].startswith("enrolment token")
    assert_problem(gh.request("POST", f"{API}/collectors/register", json={"name": "n", "hostname": "h"}), 401)


def test_operator_api_token_enrols_with_a_generated_key_viewer_cannot(gh, roles, tmp_path):
    admin = admin_login(gh)
    token = create_api_token(gh, admin.access, "enrol", role="operator")["token"]
    collector = enrol(gh, {}, tmp_path, bearer_token=token, with_csr=False)
    assert "BEGIN PRIVATE KEY" in collector.registration["private_key"]
    viewer = gh.request("POST", f"{API}/collectors/register", headers=roles.viewer,
                        json={"name": "v", "hostname": "h"})
    assert_problem(viewer, 403)
    bad_csr = gh.request("POST", f"{API}/collectors/register", headers=roles.operator,
                         json={"name": "c", "hostname": "h", "csr": "-----BEGIN CERTIFICATE REQUEST-----\nxx"})
    assert "csr" in assert_problem(bad_csr, 400)["detail"]
    events = wait_audit(gh, admin.access, lambda e: e["resource"]["id"] == collector.id,
                        action="collector.register")
    assert events[0]["outcome"] == "success"


def test_push_needs_certificate_of_a_live_collector_and_its_own_token(gh, roles, tmp_path):
    a = enrol(gh, roles.operator, tmp_path)
    b = enrol(gh, roles.operator, tmp_path)
    ok = a.push([sample("up", 1)])
    assert ok.status_code == 200, ok.text
    # No client certificate, or one from another CA: the handshake fails.
    refused_at_handshake(a.url, verify=str(a.ca))
    refused_at_handshake(a.url, cert=tuple(map(str, foreign_client(tmp_path, a.id))), verify=str(a.ca))
    # Someone else's token, a forged one, none.
    assert assert_problem(a.push([sample("up", 1)], token=b.token), 403)["kind"] == "token_mismatch"
    assert assert_problem(a.push([sample("up", 1)], token=a.token[:-4] + "AAAA"), 401)["kind"] == "token_invalid"
    resp = a.session().post(f"{a.url}{API}/metrics", json={"batch_id": "n", "samples": []}, timeout=5)
    assert assert_problem(resp, 401)["kind"] == "token_missing"
    # Another collector's config through its own certificate.
    other = a.session().get(f"{a.url}{API}/collectors/{b.id}/config", headers=bearer(a.token), timeout=5)
    assert assert_problem(other, 403)["kind"] == "wrong_collector"


def test_expired_collector_token_is_refused_and_renewal_gives_a_new_one(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path)
    time.sleep(3.5)
    assert assert_problem(c.push([sample("up", 1)]), 401)["kind"] == "token_invalid"
    renewed = c.session().post(f"{c.url}{API}/collectors/{c.id}/renew", json={"csr": csr_pem(new_key())},
                               timeout=5)
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert "private_key" not in body and common_name(body["certificate"]) == c.id
    assert c.push([sample("up", 1)], token=body["token"]).status_code == 200


def test_renewed_certificate_works_and_the_old_one_until_it_expires(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path, with_csr=False)
    resp = c.session().post(f"{c.url}{API}/collectors/{c.id}/renew", timeout=5)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    new_cert, new_key_file = tmp_path / "renewed.crt", tmp_path / "renewed.key"
    new_cert.write_text(body["certificate"])
    new_key_file.write_text(body["private_key"])
    fresh = requests.Session()
    fresh.trust_env = False
    fresh.cert, fresh.verify = (str(new_cert), str(new_key_file)), str(c.ca)
    assert c.push([sample("up", 2)], session=fresh, token=body["token"]).status_code == 200
    assert c.push([sample("up", 3)], token=body["token"]).status_code == 200, "the previous certificate still works"
    got = gh.request("GET", f"{API}/collectors/{c.id}", headers=roles.viewer).json()
    assert got["renewed_at"] and got["certificate_sha256"] != c.registration.get("certificate_sha256")


def test_deleted_collector_is_refused_from_its_next_connection(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path)
    session = c.session()
    assert c.push([sample("up", 1)], session=session).status_code == 200
    assert_problem(gh.request("DELETE", f"{API}/collectors/{c.id}", headers=roles.viewer), 403)
    assert gh.request("DELETE", f"{API}/collectors/{c.id}", headers=roles.operator).status_code == 204
    # The open keep-alive connection: refused per request.
    assert assert_problem(c.push([sample("up", 1)], session=session), 401)["kind"] == "certificate_unknown"
    # A new connection: refused in the handshake.
    refused_at_handshake(c.url, cert=(str(c.cert), str(c.key)), verify=str(c.ca))
    assert_problem(gh.request("GET", f"{API}/collectors/{c.id}", headers=roles.viewer), 404)
    admin = admin_login(gh)
    wait_audit(gh, admin.access, lambda e: e["resource"]["id"] == c.id, action="collector.delete")


def test_config_etag_and_versions(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path)
    s = c.session()
    first = s.get(f"{c.url}{API}/collectors/{c.id}/config", headers=bearer(c.token), timeout=5)
    assert first.status_code == 200 and first.json()["version"] == 1
    etag = first.headers["ETag"]
    same = s.get(f"{c.url}{API}/collectors/{c.id}/config", headers={**bearer(c.token), "If-None-Match": etag},
                 timeout=5)
    assert same.status_code == 304 and same.content == b""
    new = {"intervals": {"connections": 5}, "postgres": [{"name": "main", "url": "postgresql://mon@127.0.0.1/db"}]}
    assert_problem(gh.request("PUT", f"{API}/collectors/{c.id}/config", headers=roles.viewer, json=new), 403)
    put = gh.request("PUT", f"{API}/collectors/{c.id}/config", headers=roles.operator, json=new)
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 2 and put.json()["intervals"]["connections"] == 5
    assert put.json()["intervals"]["database_size"] == 300, "groups not named keep their default"
    changed = s.get(f"{c.url}{API}/collectors/{c.id}/config", headers={**bearer(c.token), "If-None-Match": etag},
                    timeout=5)
    assert changed.status_code == 200 and changed.json()["version"] == 2
    for bad, field in (({"intervals": {"nope": 5}}, "intervals.nope"),
                       ({"intervals": {"connections": 0}}, "connections"),
                       ({"postgres": [{"name": "x", "url": "postgresql://u:secret@h/db"}]}, "password"),
                       ({"postgres": [{"name": "x", "url": "http://h"}]}, "postgresql://")):
        detail = assert_problem(gh.request("PUT", f"{API}/collectors/{c.id}/config", headers=roles.operator,
                                           json=bad), 400)["detail"]
        assert field in detail and "secret" not in detail, detail
    assert gh.request("GET", f"{API}/collectors/{c.id}/config", headers=roles.viewer).json()["version"] == 2


def test_collector_list_pages_and_filters_by_status(gh, roles, tmp_path):
    pending = enrol(gh, roles.operator, tmp_path)
    online = enrol(gh, roles.operator, tmp_path)
    assert online.push([sample("up", 1), {"name": "bad name", "time": time.time(), "value": 1}],
                       agent_version="test-1").status_code == 200
    got = gh.request("GET", f"{API}/collectors/{online.id}", headers=roles.viewer).json()
    assert (got["status"], got["samples_accepted"], got["samples_rejected"], got["batches"], got["version"]) == (
        "online", 1, 1, 1, "test-1")
    assert got["last_push_at"] and got["certificate_expires_at"]

    def ids(status):
        out, cursor = [], None
        for _ in range(50):
            params = {"status": status, "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = gh.request("GET", f"{API}/collectors", headers=roles.viewer, params=params).json()
            out += [c["id"] for c in page["items"]]
            assert all(c["status"] == status for c in page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                return out
        raise AssertionError("too many pages")

    assert pending.id in ids("pending") and pending.id not in ids("online")
    assert online.id in ids("online")
    assert_problem(gh.request("GET", f"{API}/collectors", headers=roles.viewer, params={"status": "nope"}), 400)

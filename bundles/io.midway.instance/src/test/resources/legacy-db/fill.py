#!/usr/bin/env python3
"""Fills a running instance through its HTTP API, as a user and a few agents would, then reads
everything back through the API and writes it to expected.json (what LegacyDatabaseTest checks
after the migration).

Usage: fill.py --schema 9|10 --url http://127.0.0.1:PORT --admin-password P --agent-password P
               --core path/to/io.midway.agent.jar --out expected.json

--schema 9:  the release before enrollment (the shared agent user acts for every agent).
--schema 10: agents enroll: the first registration (shared user) answers the agent's own
             identity, whose password is read (unsealed with the agent's private key when it
             registered a public key) and used for everything else that agent does.

Needs python3 with the 'cryptography' package (RSA keys, unsealing). The secrets and passwords
used here are made-up fixture values.
"""
import argparse
import base64
import io
import json
import sys
import time
import urllib.error
import urllib.request
import zipfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ARGS = None
AGENT_AUTH = {}  # agent name -> (user, password)


def call(method, path, auth, body=None, raw=None, expect=(200, 201, 204)):
    url = ARGS.url + path
    data = None
    headers = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    elif raw is not None:
        data = raw
        headers["Content-Type"] = "application/octet-stream"
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8")).decode("ascii")
        headers["Authorization"] = "Basic " + token
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8")
    if status not in expect:
        sys.exit(f"{method} {path}: HTTP {status}: {text[:500]}")
    return json.loads(text) if text else None


def admin():
    return ("admin", ARGS.admin_password)


def shared():
    return ("mid", ARGS.agent_password)


def as_agent(name):
    return AGENT_AUTH.get(name, shared())


def new_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, base64.b64encode(public).decode("ascii")


def unseal(key, sealed):
    """io.midway.wire.SealedSecret.open: v1.<RSA-OAEP(SHA-256) AES key>.<iv>.<AES-GCM ciphertext+tag>, AAD 'v1'."""
    def part(text):
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    version, wrapped, iv, ciphertext = sealed.split(".")
    assert version == "v1"
    aes_key = key.decrypt(part(wrapped), padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                      algorithm=hashes.SHA256(), label=None))
    return AESGCM(aes_key).decrypt(part(iv), part(ciphertext), b"v1").decode("utf-8")


def register(name, caps, key=None, public_key=None, auth=None, expect=(200, 201)):
    body = {"name": name, "version": "0.1.0", "host_name": name + ".fixture.example",
            "ip_address": {"alpha": "10.0.0.11", "bravo": "10.0.0.12", "charlie": "10.0.0.13",
                           "delta": "10.0.0.14"}[name], "capabilities": caps}
    if public_key:
        body["public_key"] = public_key
    reply = call("POST", "/api/mid/agents/register", auth or as_agent(name), body, expect=expect)
    identity = reply.get("identity")
    if identity:
        password = identity.get("password")
        if password is None:
            password = unseal(key, identity["password_sealed"])
        AGENT_AUTH[name] = (identity["user_name"], password)
    return reply["result"]


def agent_sys_id(name):
    rows = call("GET", f"/api/now/table/ecc_agent?sysparm_query=name={name}", admin())["result"]
    return rows[0]["sys_id"]


def patch_agent(name, fields):
    return call("PATCH", f"/api/now/table/ecc_agent/{agent_sys_id(name)}", admin(), fields)["result"]


def bundle_jar(symbolic_name, version):
    """A minimal OSGi bundle: a manifest and one resource (made in memory, fixed times)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as jar:
        manifest = ("Manifest-Version: 1.0\r\nBundle-ManifestVersion: 2\r\n"
                    f"Bundle-SymbolicName: {symbolic_name}\r\nBundle-Version: {version}\r\n"
                    "Bundle-Name: Midway legacy-db fixture probe\r\n\r\n")
        jar.writestr(zipfile.ZipInfo("META-INF/MANIFEST.MF", (2026, 1, 1, 0, 0, 0)), manifest)
        jar.writestr(zipfile.ZipInfo("fixture.txt", (2026, 1, 1, 0, 0, 0)), "a fixture bundle\n")
    return out.getvalue()


def fill():
    schema10 = ARGS.schema == 10
    alpha_key, alpha_public = new_key()

    # --- agents: registered as an agent would, then changed by the admin ---------------------
    register("alpha", ["ssh", "tcp"], alpha_key, alpha_public)
    register("bravo", ["tcp"])
    register("charlie", ["snmp", "tcp"])
    patch_agent("alpha", {"validated": True, "manual_capabilities": ["powershell", "Windows"],
                          "applications": ["Discovery", "Orchestration"],
                          "ip_ranges": ["10.0.0.0/24", "192.168.7.1-192.168.7.20"],
                          "pinned_version": "0.1.0"})
    patch_agent("charlie", {"validated": True, "is_default": True})
    patch_agent("bravo", {"validated": False})  # bin/instance may validate new agents by itself
    call("POST", "/api/now/table/ecc_agent_cluster", admin(),
         {"name": "dc-east", "type": "failover", "members": ["alpha", "charlie"]})

    # --- ECC queue: outputs leased by a poll, answered (processed, error), left processing ---
    outputs = call("POST", "/api/now/table/ecc_queue", admin(), [
        {"agent": "mid.server.alpha", "topic": "Discovery", "name": "ping 10.0.0.5", "source": "10.0.0.5",
         "payload": {"probe": "ping", "target": "10.0.0.5", "count": 3}},
        {"agent": "mid.server.alpha", "topic": "Command", "name": "uname -a", "source": "fixture",
         "payload": "uname -a", "priority": 1},
        {"agent": "mid.server.alpha", "topic": "Discovery", "name": "left processing",
         "payload": ["a", 1, None, True]},
    ])["result"]
    polled = call("GET", "/api/mid/ecc/poll?agent=alpha&max=10&wait_ms=0", as_agent("alpha"))["result"]
    assert {r["sys_id"] for r in outputs} <= {r["sys_id"] for r in polled}, polled
    by_name = {r["name"]: r for r in outputs}
    results = call("POST", "/api/mid/ecc/input", as_agent("alpha"), {"records": [
        {"response_to": by_name["ping 10.0.0.5"]["sys_id"], "state": "processed",
         "payload": {"alive": True, "rtt_ms": [0.4, 0.5, 0.4]}},
        {"response_to": by_name["uname -a"]["sys_id"], "state": "error", "topic": "Command",
         "error_string": "exit status 127: uname: not found", "payload": "sh: uname: not found"},
    ]})["result"]
    assert [r["status"] for r in results] == ["inserted", "inserted"], results
    # a ready one, records written as already processed or failed, and a broadcast (one copy per agent)
    call("POST", "/api/now/table/ecc_queue", admin(),
         {"agent": "mid.server.alpha", "topic": "Discovery", "name": "waits ready", "priority": 0,
          "payload": {"note": "unicode ✓ and \"quotes\""}})
    call("POST", "/api/now/table/ecc_queue", admin(),
         {"agent": "mid.server.charlie", "topic": "Discovery", "name": "written processed",
          "state": "processed", "payload": 42})
    call("POST", "/api/now/table/ecc_queue", admin(),
         {"agent": "mid.server.bravo", "topic": "Discovery", "name": "written error", "state": "error",
          "payload": None})
    call("POST", "/api/now/table/ecc_queue", admin(),
         {"agent": "mid.server.*", "topic": "config.refresh", "name": "everyone", "payload": {"all": True}})
    # charlie pauses itself (after the broadcast, so its copy waits ready)
    call("POST", "/api/mid/agents/status", as_agent("charlie"),
         {"name": "charlie", "status": "Paused", "detail": "maintenance window"})

    # --- file sync: a bundle, and alpha's report ---------------------------------------------
    uploaded = call("POST", "/api/mid/admin/files?kind=probe", admin(),
                    raw=bundle_jar("io.midway.fixture.probe", "1.2.0"))
    call("POST", "/api/mid/file_sync/report", as_agent("alpha"),
         {"name": "alpha", "revision": uploaded["revision"], "state": "applied",
          "files": [{"symbolic_name": "io.midway.fixture.probe", "version": "1.2.0",
                     "sha256": uploaded["result"]["sha256"], "action": "install", "outcome": "ok"}]})

    # --- an agent core (its version becomes the instance version) ----------------------------
    with open(ARGS.core, "rb") as f:
        call("POST", "/api/mid/admin/upgrade", admin(), raw=f.read())

    # --- credentials (secrets encrypted at rest) and affinity --------------------------------
    basic = call("POST", "/api/now/table/discovery_credentials", admin(),
                 {"name": "fixture-basic", "type": "basic", "order": 10, "user_name": "svc-discovery",
                  "password": "fixture-password-not-secret"})["result"]
    ssh = call("POST", "/api/now/table/discovery_credentials", admin(),
               {"name": "fixture-ssh", "type": "ssh_key", "user_name": "root",
                "ssh_private_key": "fixture-private-key-not-secret", "ssh_passphrase": "fixture-passphrase"})["result"]
    call("POST", "/api/now/table/discovery_credentials", admin(),
         {"name": "fixture-vault", "type": "api_key", "order": 200, "user_name": "robot",
          "resolver": "vault", "external_id": "kv/midway/robot"})
    call("POST", "/api/now/table/discovery_credentials", admin(),
         {"name": "fixture-inactive", "type": "snmp_community", "active": False, "community": "public-fixture"})
    # the agent reads its credentials, sealed for its key: the secret round-trips
    delivered = call("GET", "/api/mid/credentials?agent=alpha", as_agent("alpha"))["result"]
    got = next(c for c in delivered if c["name"] == "fixture-basic")
    assert unseal(alpha_key, got["sealed"]["password"]) == "fixture-password-not-secret"
    call("POST", "/api/mid/credentials/affinity", as_agent("alpha"), {"agent": "alpha", "affinity": [
        {"credential": basic["sys_id"], "type": "basic", "target": "10.0.0.5"},
        {"credential": ssh["sys_id"], "type": "ssh_key", "target": "db-1.fixture.example"}]})

    if schema10:
        # delta enrolls with a key, is validated, registers again with another key: a pending rekey
        delta_key, delta_public = new_key()
        register("delta", ["jdbc"], delta_key, delta_public)
        patch_agent("delta", {"validated": True})
        _, delta_public2 = new_key()
        register("delta", ["jdbc"], None, delta_public2)
        # identities made by an admin; one identity disabled
        call("POST", "/api/now/table/sys_user", admin(),
             {"user_name": "ops-admin", "password": "fixture-admin-password", "roles": "admin"})
        call("POST", "/api/now/table/sys_user", admin(),
             {"user_name": "svc-echo", "password": "fixture-echo-password", "roles": "mid_server",
              "agent": "echo"})
        users = call("GET", "/api/now/table/sys_user?sysparm_query=user_name=mid.server.bravo", admin())["result"]
        call("PATCH", f"/api/now/table/sys_user/{users[0]['sys_id']}", admin(), {"active": False})


def read_back():
    def table(name, query=""):
        return call("GET", f"/api/now/table/{name}?sysparm_limit=10000{query}", admin())["result"]

    expected = {"schema": ARGS.schema}
    expected["ecc_agent"] = table("ecc_agent")
    expected["ecc_queue"] = table("ecc_queue", "&sysparm_query=ORDERBYsys_created_on")
    expected["ecc_agent_cluster"] = table("ecc_agent_cluster")
    expected["discovery_credentials"] = table("discovery_credentials")
    expected["dscy_credentials_affinity"] = table("dscy_credentials_affinity")
    expected["events"] = call("GET", "/api/mid/events?since=0", admin())["result"]
    files = call("GET", "/api/mid/admin/files", admin())
    expected["sync_file"] = files["result"]
    expected["sync_revision"] = files["revision"]
    upgrade = call("GET", "/api/mid/admin/upgrade", admin())["result"]
    expected["instance_version"] = upgrade["version"]
    expected["agent_core"] = upgrade["cores"]
    expected["credential_secret"] = {"credential": "fixture-basic", "field": "password",
                                     "value": "fixture-password-not-secret"}
    if ARGS.schema == 10:
        expected["sys_user"] = table("sys_user")
    expected["counts"] = {
        "ecc_agent": len(expected["ecc_agent"]),
        "ecc_queue": len(expected["ecc_queue"]),
        "ecc_event": len(expected["events"]),
        "ecc_agent_cluster": len(expected["ecc_agent_cluster"]),
        "discovery_credentials": len(expected["discovery_credentials"]),
        "dscy_credentials_affinity": len(expected["dscy_credentials_affinity"]),
        "sync_file": len(expected["sync_file"]),
        "agent_core": len(expected["agent_core"]),
    }
    if ARGS.schema == 10:
        expected["counts"]["sys_user"] = len(expected["sys_user"])
    return expected


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", type=int, choices=(9, 10), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--agent-password", required=True)
    parser.add_argument("--core", required=True)
    parser.add_argument("--out", required=True)
    ARGS = parser.parse_args()
    deadline = time.time() + 60
    while True:
        try:
            call("GET", "/api/mid/instance_info", None)
            break
        except (urllib.error.URLError, ConnectionError, SystemExit):
            if time.time() > deadline:
                raise
            time.sleep(0.5)
    fill()
    expected = read_back()
    with open(ARGS.out, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    print("counts:", json.dumps(expected["counts"], sort_keys=True))


if __name__ == "__main__":
    main()

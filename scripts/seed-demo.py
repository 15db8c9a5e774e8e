#!/usr/bin/python3
"""Labels the demo initiatives through the real staff API, as three committee members would.

Usage: seed-demo.py URL PASSWORDS_FILE
PASSWORDS_FILE holds "username role password" lines (written by scripts/run.sh). Every
initiative but the last gets strong answers from the three reviewers and is labelled in the
category the radar proposes; the last one gets weak answers and is refused, with reasons.
Only Python's standard library is used.
"""
import json
import sys
import urllib.error
import urllib.request


class Staff:
    def __init__(self, base, username, password):
        self.base = base
        body = self._call("POST", "/api/v1/admin/login", {"username": username, "password": password})
        self.csrf = body["csrf_token"]

    def _call(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if getattr(self, "cookie", None):
            req.add_header("Cookie", self.cookie)
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with urllib.request.urlopen(req) as res:
                cookie = res.headers.get("Set-Cookie")
                if cookie:
                    self.cookie = cookie.split(";", 1)[0]
                text = res.read().decode()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as e:
            sys.exit(f"seed-demo: {method} {path}: {e.code} {e.read().decode()}")

    get = lambda self, path: self._call("GET", path)
    put = lambda self, path, body: self._call("PUT", path, body)
    post = lambda self, path, body: self._call("POST", path, body)


def main():
    base, passwords = sys.argv[1].rstrip("/"), sys.argv[2]
    users = [line.split() for line in open(passwords) if line.strip()]
    reviewers = [Staff(base, u, p) for u, role, p in users if role == "committee"]
    questionnaire = reviewers[0].get("/api/v1/admin/questionnaire")
    initiatives = reviewers[0].get("/api/v1/admin/initiatives")
    if isinstance(initiatives, dict):
        initiatives = initiatives.get("initiatives", [])
    for n, initiative in enumerate(initiatives):
        iid = initiative["id"]
        weak = n == len(initiatives) - 1
        for r, reviewer in enumerate(reviewers):
            answers = {}
            for m, marker in enumerate(questionnaire["markers"]):
                for q, question in enumerate(marker["questions"]):
                    lo, hi = question["scale"]["min"], question["scale"]["max"]
                    # Varied but deterministic answers: strong files near the top of each scale.
                    answers[question["id"]] = lo + 1 if weak else max(lo, hi - ((n + r + m + q) % 2))
            reviewer.put(f"/api/v1/admin/initiatives/{iid}/evaluation", {"answers": answers})
        radar = reviewers[0].get(f"/api/v1/admin/initiatives/{iid}/radar")
        if radar["gate"]["passes"]:
            decision = {"decision": "label", "category": radar["proposed_category"]["id"], "justification": ""}
        else:
            decision = {"decision": "refuse",
                        "justification": "Dossier à retravailler : " + " ".join(radar["gate"]["reasons"])}
        reviewers[0].post(f"/api/v1/admin/initiatives/{iid}/decision", decision)
        print(f"seed-demo: {iid}: {decision['decision']} {' '.join(radar['gate']['reasons'])}")


if __name__ == "__main__":
    main()

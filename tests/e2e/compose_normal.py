#!/usr/bin/env python3
"""Normalises a Compose configuration (JSON from `sandbot compose config
--json`, or YAML from Debian's `docker-compose config`) to one form, so the
two can be compared: long syntax everywhere, strings for ports and numbers,
x-* and version dropped. Prints sorted JSON.

  compose_normal.py FILE            normalise and print
  compose_normal.py --schema S FILE validate FILE (JSON) against schema S first
"""
import json
import shlex
import sys

import yaml


def port(p):
    if isinstance(p, int):
        return {"target": str(p), "published": "", "host_ip": "", "protocol": "tcp"}
    if isinstance(p, dict):
        return {"target": str(p["target"]), "published": str(p.get("published", "")),
                "host_ip": p.get("host_ip", ""), "protocol": p.get("protocol", "tcp")}
    text, _, proto = p.partition("/")
    host_ip = ""
    if text.startswith("["):
        host_ip, _, text = text[1:].partition("]:")
    parts = text.split(":")
    if len(parts) == 3:
        host_ip = parts.pop(0)
    target = parts[-1]
    published = parts[0] if len(parts) == 2 else ""
    return {"target": target, "published": published, "host_ip": host_ip,
            "protocol": proto or "tcp"}


def volume(v):
    if isinstance(v, dict):
        out = {"type": v["type"], "source": v.get("source", ""), "target": v["target"]}
        out["read_only"] = bool(v.get("read_only", False))
        return out
    parts = v.split(":")
    if len(parts) == 1:
        return {"type": "volume", "source": "", "target": parts[0], "read_only": False}
    source, target = parts[0], parts[1]
    mode = parts[2].split(",") if len(parts) > 2 else []
    kind = "bind" if source[:1] in "./~" else "volume"
    return {"type": kind, "source": source, "target": target, "read_only": "ro" in mode}


def dictify(value):
    if isinstance(value, list):
        out = {}
        for item in value:
            key, eq, val = item.partition("=")
            out[key] = val if eq else None
        return out
    return {k: (None if v is None else str(v)) for k, v in (value or {}).items()}


def argv(value):
    return shlex.split(value) if isinstance(value, str) else list(value)


def refs(items):
    out = []
    for r in items:
        r = {"source": r} if isinstance(r, str) else dict(r)
        if "mode" in r:
            r["mode"] = int(r["mode"])
        out.append(r)
    return out


def service(s):
    out = {}
    for key, value in s.items():
        if key.startswith("x-") or key == "env_file":
            continue
        if key == "build":
            value = {"context": value} if isinstance(value, str) else dict(value)
            value.setdefault("dockerfile", "Dockerfile")
            if "args" in value:
                value["args"] = dictify(value["args"])
        elif key in ("command", "entrypoint"):
            value = argv(value)
        elif key in ("environment", "labels"):
            value = dictify(value)
        elif key == "ports":
            value = sorted((port(p) for p in value), key=json.dumps)
        elif key == "expose":
            value = [str(e) for e in value]
        elif key == "depends_on":
            if isinstance(value, list):
                value = {d: {"condition": "service_started"} for d in value}
        elif key == "healthcheck":
            value = dict(value)
            if isinstance(value.get("test"), str):
                value["test"] = ["CMD-SHELL", value["test"]]
        elif key == "volumes":
            value = [volume(v) for v in value]
        elif key in ("secrets", "configs"):
            value = refs(value)
        elif key == "deploy":
            limits = value.get("resources", {}).get("limits", {})
            if "cpus" in limits:
                limits["cpus"] = str(float(limits["cpus"]))
            if "memory" in limits:
                limits["memory"] = str(limits["memory"])
        out[key] = value
    return out


def normalise(doc):
    out = {}
    for key, value in doc.items():
        if key.startswith("x-") or key == "version":
            continue
        if key == "services":
            value = {name: service(s) for name, s in value.items()}
        elif key == "volumes":
            value = {name: (v or {}) for name, v in value.items()}
        out[key] = value
    return out


def main():
    args = sys.argv[1:]
    schema = None
    if args[0] == "--schema":
        schema, args = args[1], args[2:]
    with open(args[0]) as f:
        text = f.read()
    doc = yaml.safe_load(text)
    if schema:
        import jsonschema
        with open(schema) as f:
            spec = json.load(f)
        validator = jsonschema.Draft201909Validator(spec)
        errors = sorted(validator.iter_errors(json.loads(text)), key=str)
        for e in errors:
            print("schema: %s: %s" % ("/".join(map(str, e.absolute_path)), e.message),
                  file=sys.stderr)
        if errors:
            sys.exit(1)
    print(json.dumps(normalise(doc), indent=1, sort_keys=True))


main()

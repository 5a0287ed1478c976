#!/usr/bin/env python3
"""A strict reader of Prometheus' text exposition format 0.0.4, for the tests.

Reads a scrape on stdin. Fails (exit 1, the line and the reason on stderr)
on anything a Prometheus server would refuse or that breaks the naming
rules sandbot keeps: a malformed line, a bad name or label, a bad escape, a
value that is not a float, a sample before its family's TYPE, a family
whose samples are not together, a duplicate series, a counter not named
*_total, a histogram whose buckets are not cumulative or whose +Inf bucket
is not its _count.

Then reads it again with the official Python client's parser
(prometheus_client.parser, Debian's python3-prometheus-client, which
scripts/install-deps.sh installs) and fails unless that parser reads the
same series with the same values: the strict reader catches more (the
client parser accepts a counter without _total, duplicate series,
non-cumulative buckets), the client is the reference reading of the format.

Prints every series as JSON, {"name{a=\"x\",b=\"y\"}": value}, labels in
name order, for the test's assertions (jq).
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class Bad(Exception):
    pass


def parse_value(text):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        raise Bad("not a float: %r" % text)
    return float(text)


def parse_labels(text, i):
    """Labels from text[i] == '{'; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if text[i:i + 1] == "}":
            return labels, i + 1
        m = LABEL.match(text, i)
        if not m:
            raise Bad("bad label name at %d" % i)
        name = m.group(0)
        i = m.end()
        if text[i:i + 2] != '="':
            raise Bad("expected =\" after label %s" % name)
        i += 2
        value = []
        while True:
            if i >= len(text):
                raise Bad("unterminated label value")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise Bad("bad escape \\%s" % nxt)
                value.append("\n" if nxt == "n" else nxt)
                i += 2
                continue
            if c == '"':
                i += 1
                break
            if c == "\n":
                raise Bad("newline in a label value")
            value.append(c)
            i += 1
        if name in labels:
            raise Bad("label %s twice" % name)
        labels[name] = "".join(value)
        if text[i:i + 1] == ",":
            i += 1
        elif text[i:i + 1] != "}":
            raise Bad("expected , or } after label %s" % name)


def key(name, labels):
    inner = ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels))
    return "%s{%s}" % (name, inner) if inner else name


def family_of(sample, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if sample.endswith(suffix):
            base = sample[: -len(suffix)]
            if types.get(base) in ("histogram", "summary"):
                return base
    return sample


def check(text):
    if text and not text.endswith("\n"):
        raise Bad("the last line has no newline")
    types, helps, done, series = {}, set(), set(), {}
    current = None
    buckets = {}  # (family, labels without le) -> [(le, count)]
    counts = {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        try:
            if line == "":
                continue
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                    name = parts[2]
                    if not NAME.fullmatch(name):
                        raise Bad("bad metric name %r" % name)
                    if parts[1] == "HELP":
                        if name in helps:
                            raise Bad("second HELP for %s" % name)
                        helps.add(name)
                    else:
                        if name in types:
                            raise Bad("second TYPE for %s" % name)
                        if len(parts) != 4 or parts[3] not in TYPES:
                            raise Bad("bad TYPE line")
                        if name in done or name == current:
                            raise Bad("TYPE for %s after its samples" % name)
                        types[name] = parts[3]
                        if parts[3] == "counter" and not name.endswith("_total"):
                            raise Bad("counter %s is not named *_total" % name)
                continue
            m = NAME.match(line)
            if not m:
                raise Bad("bad sample name")
            name = m.group(0)
            i = m.end()
            labels = {}
            if line[i:i + 1] == "{":
                labels, i = parse_labels(line, i)
            if line[i:i + 1] != " ":
                raise Bad("expected a space before the value")
            fields = line[i + 1:].split(" ")
            if len(fields) not in (1, 2):
                raise Bad("expected a value and at most a timestamp")
            value = parse_value(fields[0])
            if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
                raise Bad("bad timestamp")
            fam = family_of(name, types)
            if fam not in types:
                raise Bad("sample of %s before its TYPE" % fam)
            if fam != current:
                if fam in done:
                    raise Bad("samples of %s are not together" % fam)
                if current is not None:
                    done.add(current)
                current = fam
            k = key(name, labels)
            if k in series:
                raise Bad("series %s twice" % k)
            series[k] = value
            kind = types[fam]
            if kind == "counter" and (value < 0 or math.isnan(value)):
                raise Bad("counter %s is %s" % (k, fields[0]))
            if kind == "histogram":
                rest = {a: b for a, b in labels.items() if a != "le"}
                group = (fam, key("", rest))
                if name.endswith("_bucket"):
                    if "le" not in labels:
                        raise Bad("bucket without le")
                    buckets.setdefault(group, []).append((parse_value(labels["le"]), value))
                elif "le" in labels:
                    raise Bad("le outside a bucket")
                if name.endswith("_count"):
                    counts[group] = value
        except (Bad, IndexError) as e:
            raise Bad("line %d: %s: %s" % (n, e, line)) from None
    for group, bs in buckets.items():
        les = [le for le, _ in bs]
        if les != sorted(les) or les[-1] != math.inf:
            raise Bad("%s: buckets not in order or no +Inf" % (group,))
        vals = [v for _, v in bs]
        if any(b < a for a, b in zip(vals, vals[1:])):
            raise Bad("%s: buckets not cumulative" % (group,))
        if counts.get(group) != vals[-1]:
            raise Bad("%s: +Inf bucket %s is not _count %s" % (group, vals[-1], counts.get(group)))
    return series


def client_parser():
    """prometheus_client.parser; Debian's package is under the system
    Python's dist-packages, which another python3 on PATH may not search."""
    try:
        from prometheus_client import parser
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        from prometheus_client import parser
    return parser


def same_as_client(text, series):
    """Raises Bad unless prometheus_client's parser reads `series` exactly."""
    try:
        parser = client_parser()
    except ImportError:
        raise Bad("python3-prometheus-client is missing (scripts/install-deps.sh)") from None
    theirs = {}
    try:
        for family in parser.text_string_to_metric_families(text):
            for s in family.samples:
                theirs[key(s.name, s.labels)] = s.value
    except Exception as e:  # the client raises ValueError and others on bad input
        raise Bad("prometheus_client cannot parse it: %s" % e) from None
    if set(theirs) != set(series):
        raise Bad("prometheus_client reads other series: only ours %s, only theirs %s" %
                  (sorted(set(series) - set(theirs))[:5], sorted(set(theirs) - set(series))[:5]))
    for k, v in series.items():
        if not (v == theirs[k] or (math.isnan(v) and math.isnan(theirs[k]))):
            raise Bad("%s: %r here, %r by prometheus_client" % (k, v, theirs[k]))


def main():
    text = sys.stdin.read()
    try:
        series = check(text)
        same_as_client(text, series)
    except Bad as e:
        print("prom_check: %s" % e, file=sys.stderr)
        return 1
    if not series:
        print("prom_check: no series", file=sys.stderr)
        return 1
    json.dump(series, sys.stdout, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

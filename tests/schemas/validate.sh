#!/bin/sh
# validate.sh cyclonedx|spdx|fwvet|sarif FILE...: checks each FILE against the
# CycloneDX 1.5, SPDX 2.3 or SARIF 2.1.0 JSON schema kept beside this script, or against
# fwvet's own report schema (docs/report.schema.json; a FILE may hold one
# report or a JSON array of them, as a scan of several images writes), offline.
# Prints one line per error and exits 1 when there is any.
#
# Debian's python3-jsonschema does the checking.  Its CLI cannot be used for
# CycloneDX: the schema's $id (http://cyclonedx.org/schema/...) wins over
# --base-uri, so its $refs to spdx.schema.json and jsf-0.82.schema.json would
# be fetched.  Here they are served from a local store, and any other fetch is
# refused.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 cyclonedx|spdx|fwvet|sarif FILE..." >&2; exit 2; }
exec /usr/bin/python3 -c '
import json, os, sys
import jsonschema
from jsonschema.validators import validator_for

here, kind, docs = sys.argv[1], sys.argv[2], sys.argv[3:]

def load(name):
    with open(os.path.join(here, name), encoding="utf-8") as f:
        return json.load(f)

if kind == "cyclonedx":
    schema = load("bom-1.5.schema.json")
    refs = [load("spdx.schema.json"), load("jsf-0.82.schema.json")]
elif kind == "spdx":
    schema = load("spdx-2.3.schema.json")
    refs = []
elif kind == "fwvet":
    schema = load(os.path.join("..", "..", "docs", "report.schema.json"))
    refs = []
elif kind == "sarif":
    # OASIS SARIF 2.1.0 (errata 01), draft-04: every $ref is inside the file.
    schema = load("sarif-schema-2.1.0.json")
    refs = []
else:
    sys.exit("expected cyclonedx, spdx, fwvet or sarif, got " + kind)

def offline(uri):
    raise jsonschema.RefResolutionError("refusing to fetch " + uri + " (not in tests/schemas)")

cls = validator_for(schema)
cls.check_schema(schema)
resolver = jsonschema.RefResolver.from_schema(
    schema, store={s.get("$id", s.get("id")): s for s in refs + [schema]},  # draft-04 names itself by "id"
    handlers={"http": offline, "https": offline})
validator = cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)
bad = 0
def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted(set(k for k in keys if keys.count(k) > 1))
    if dup:
        raise ValueError("duplicate key(s) %s in one object" % ", ".join(dup))
    return dict(pairs)

for doc in docs:
    with open(doc, encoding="utf-8") as f:
        # A key written twice is no valid report either (json.load keeps the last silently).
        try:
            instance = json.load(f, object_pairs_hook=no_duplicates if kind in ("fwvet", "sarif") else None)
        except ValueError as e:
            print("%s: expected JSON: %s" % (doc, e))
            bad += 1
            continue
    # Several images give an array of reports: each element is one report.
    many = kind == "fwvet" and isinstance(instance, list)
    if many and not instance:
        print("%s: expected a report or a non-empty array of reports, got []" % doc)
        bad += 1
    for i, one in enumerate(instance if many else [instance]):
        for e in validator.iter_errors(one):
            where = ([i] if many else []) + list(e.absolute_path)
            print("%s: /%s: %s" % (doc, "/".join(str(p) for p in where), e.message[:300]))
            bad += 1
sys.exit(1 if bad else 0)
' "$(dirname "$0")" "$@"

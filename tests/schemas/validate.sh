#!/bin/sh
# validate.sh cyclonedx|spdx FILE...: checks each FILE against the CycloneDX
# 1.5 or SPDX 2.3 JSON schema kept beside this script, offline.  Prints one
# line per error and exits 1 when there is any.
#
# Debian's python3-jsonschema does the checking.  Its CLI cannot be used for
# CycloneDX: the schema's $id (http://cyclonedx.org/schema/...) wins over
# --base-uri, so its $refs to spdx.schema.json and jsf-0.82.schema.json would
# be fetched.  Here they are served from a local store, and any other fetch is
# refused.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 cyclonedx|spdx FILE..." >&2; exit 2; }
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
else:
    sys.exit("expected cyclonedx or spdx, got " + kind)

def offline(uri):
    raise jsonschema.RefResolutionError("refusing to fetch " + uri + " (not in tests/schemas)")

cls = validator_for(schema)
cls.check_schema(schema)
resolver = jsonschema.RefResolver.from_schema(
    schema, store={s["$id"]: s for s in refs}, handlers={"http": offline, "https": offline})
validator = cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)
bad = 0
for doc in docs:
    with open(doc, encoding="utf-8") as f:
        instance = json.load(f)
    for e in validator.iter_errors(instance):
        print("%s: /%s: %s" % (doc, "/".join(str(p) for p in e.absolute_path), e.message[:300]))
        bad += 1
sys.exit(1 if bad else 0)
' "$(dirname "$0")" "$@"

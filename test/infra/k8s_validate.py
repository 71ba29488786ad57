"""Kubernetes manifests against the OpenAPI schemas that kubernetes-validate bundles: offline.

usage: k8s_validate.py VERSION FILE...
Prints one JSON object: {"documents": n, "errors": ["<file> #<doc> <kind>/<name>: <path>: <message>"]}.
Exit 0 when every document validates (strict: unknown fields are errors), 1 when one does not,
3 when kubernetes-validate is not installed (test/infra/k8s-manifests.test.ts names the fix).
"""

import json
import sys

try:
    import kubernetes_validate
    import yaml
except ImportError as err:
    print(json.dumps({"missing": str(err)}))
    sys.exit(3)


def main(version: str, files: list[str]) -> int:
    errors: list[str] = []
    count = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        for i, doc in enumerate(docs):
            count += 1
            where = f"{path} #{i} {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                errors.append(f"{where}: {'.'.join(str(p) for p in e.path)}: {e.message}")
            except kubernetes_validate.SchemaNotFoundError as e:
                errors.append(f"{where}: no schema: {e}")
    print(json.dumps({"documents": count, "errors": errors}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))

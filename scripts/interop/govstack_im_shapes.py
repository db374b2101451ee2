#!/usr/bin/env python3
"""Checks the answers of Civitas's metadata services against the GovStack Information Mediator's Directory
Services API (GovStack_IM_Directory_Services_API.yaml), with PyYAML and jsonschema.

    govstack_im_shapes.py SPEC_YAML OPERATION=FILE[=MEDIA_TYPE]...

OPERATION is the operationId of a GET operation of the spec (listClients, listMethods, allowedMethods,
getOpenAPI), FILE the body Civitas answered and MEDIA_TYPE its Content-Type (default application/json), which
must be one the operation's 200 response declares (parameters such as charset are ignored).

A JSON answer (listClients, listMethods, allowedMethods) is validated twice with jsonschema:
1. against the 200 response schema exactly as the spec publishes it: the contract;
2. against a strict copy in which every object schema that lists properties gets additionalProperties: false,
   and the answer's top object must have its `member` list. The published schemas require nothing and allow
   any key, so an answer in other names (X-Road's snake_case `member_class`, `service`, `endpoint_list`) would
   pass check 1 without sharing a single field with the spec; check 2 is ours, not GovStack's, and catches that.

A getOpenAPI answer is the description itself (the spec's `type: string` describes the raw body, JSON or YAML
text): it must parse (PyYAML reads both) into a mapping with an `openapi` or `swagger` field.

Prints a PASS or FAIL line per file and exits 1 when any failed, 2 on wrong arguments.
"""
import copy
import json
import sys

import jsonschema
import referencing
import referencing.jsonschema
import yaml

SPEC_URI = "urn:civitas:govstack-im-directory-services"
JSON_OPERATIONS = {"listClients", "listMethods", "allowedMethods"}


def operation(spec, operation_id):
    for item in spec.get("paths", {}).values():
        get = item.get("get")
        if get and get.get("operationId") == operation_id:
            return get
    raise SystemExit(f"govstack_im_shapes: the spec has no GET operation {operation_id}")


def strict(node):
    """A copy of a schema tree in which every object schema with properties allows no other key."""
    if isinstance(node, dict):
        result = {key: strict(value) for key, value in node.items()}
        if "properties" in result and result.get("type", "object") == "object":
            result["additionalProperties"] = False
        return result
    if isinstance(node, list):
        return [strict(value) for value in node]
    return node


def anchored(schema):
    """The schema with its local $ref ("#/components/...") made to point into the spec's resource."""
    return {**schema, "$ref": SPEC_URI + schema["$ref"]} if "$ref" in schema else schema


def validator(spec, schema):
    # OpenAPI 3.0 schema objects are a JSON Schema draft 4/5 dialect; their $refs point into the spec document.
    resource = referencing.Resource(contents=spec, specification=referencing.jsonschema.DRAFT4)
    registry = referencing.Registry().with_resource(SPEC_URI, resource)
    return jsonschema.Draft4Validator(schema, registry=registry)


def response_schema(spec, operation_id, media_type):
    return anchored(operation(spec, operation_id)["responses"]["200"]["content"][media_type]["schema"])


def errors_of(validator_, instance):
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator_.iter_errors(instance), key=lambda error: list(error.absolute_path))
    ]


def check_json(spec, strict_spec, operation_id, media_type, text):
    problems = []
    try:
        answer = json.loads(text)
    except ValueError as error:
        return [f"not JSON: {error}"]
    schema = response_schema(spec, operation_id, media_type)
    problems += [f"schema: {message}" for message in errors_of(validator(spec, schema), answer)]
    strict_schema = {
        "allOf": [response_schema(strict_spec, operation_id, media_type), {"type": "object", "required": ["member"]}]
    }
    problems += [f"strict: {message}" for message in errors_of(validator(strict_spec, strict_schema), answer)]
    return problems


def check_description(text):
    try:
        description = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return [f"neither JSON nor YAML: {error}"]
    if not isinstance(description, dict):
        return ["the description is not a mapping"]
    if not isinstance(description.get("openapi", description.get("swagger")), str):
        return ["the description has no openapi (or swagger) field"]
    return []


def main(arguments):
    if len(arguments) < 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    with open(arguments[0], encoding="utf-8") as file:
        spec = yaml.safe_load(file)
    strict_spec = strict(copy.deepcopy(spec))
    failed = 0
    for argument in arguments[1:]:
        parts = argument.split("=", 2)
        if len(parts) < 2:
            print(f"govstack_im_shapes: expected OPERATION=FILE[=MEDIA_TYPE], not {argument}", file=sys.stderr)
            return 2
        operation_id, path = parts[0], parts[1]
        media_type = (parts[2] if len(parts) == 3 else "application/json").split(";")[0].strip().lower()
        with open(path, encoding="utf-8") as file:
            text = file.read()
        declared = operation(spec, operation_id)["responses"]["200"].get("content", {})
        if media_type not in declared:
            problems = [f"content type {media_type} is not one the spec declares ({', '.join(declared)})"]
        elif operation_id in JSON_OPERATIONS:
            problems = check_json(spec, strict_spec, operation_id, media_type, text)
        else:
            problems = check_description(text)
        if problems:
            failed += 1
            print(f"FAIL {operation_id} {path}")
            for problem in problems:
                print(f"    {problem}")
        else:
            print(f"PASS {operation_id} {path} ({media_type})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The report as JUnit XML, the test-result format Jenkins, GitLab and Azure DevOps all read.

One ``testsuite`` per area (the finding's ``check``), one ``testcase`` per finding with
``classname`` = the area and ``name`` = the subject, so a CI system's test view lists exactly
what preflight checked. ``fail`` becomes ``<failure>``, ``error`` becomes ``<error>`` (the check
could not run), ``skip`` becomes ``<skipped>``; a ``warn`` is a passing test whose warning is in
``<system-out>``, so the dashboards stay green while the note is still there to read.

Counts sit on every ``testsuite`` and on the ``testsuites`` root. The document carries no time
or host name: the same report gives the same bytes. XML 1.0 cannot hold most control
characters at all, escaped or not, so they are removed; everything else is escaped by
:mod:`xml.etree.ElementTree`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from preflight.model import Finding, Report, Status
from preflight.report.facts import plain_details, printable, source_fields

SUITES_NAME = "preflight"

# What XML 1.0 forbids outright (beyond the controls `printable` drops): lone surrogates and
# the two non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` reduced to characters an XML 1.0 document may contain."""
    return _NOT_XML.sub("", printable(text))


def _body(finding: Finding) -> str:
    """The readable text inside a failure, error or output element."""
    lines = [finding.message]
    if finding.location is not None:
        lines.append(f"at {finding.location}")
    if finding.remedy:
        lines.append(f"remedy: {finding.remedy}")
    for key, value in plain_details(finding).items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{key}: {shown}")
    return xml_text("\n".join(lines))


def _first_line(text: str) -> str:
    return xml_text(text).split("\n", 1)[0]


def _testcase(finding: Finding) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": xml_text(finding.check),
            "name": xml_text(finding.subject) or xml_text(finding.check),
        },
    )
    status = finding.status
    if status is Status.FAIL:
        element = ET.SubElement(
            case,
            "failure",
            {
                "message": _first_line(finding.message),
                "type": "fail",
            },
        )
        element.text = _body(finding)
    elif status is Status.ERROR:
        element = ET.SubElement(
            case,
            "error",
            {
                "message": _first_line(finding.message),
                "type": "error",
            },
        )
        element.text = _body(finding)
    elif status is Status.SKIP:
        ET.SubElement(case, "skipped", {"message": _first_line(finding.message)})
    elif status is Status.WARN:
        ET.SubElement(case, "system-out").text = "warning: " + _body(finding)
    return case


def _counts(findings: list[Finding] | tuple[Finding, ...]) -> dict[str, str]:
    def n(status: Status) -> str:
        return str(sum(1 for f in findings if f.status is status))

    return {
        "tests": str(len(findings)),
        "failures": n(Status.FAIL),
        "errors": n(Status.ERROR),
        "skipped": n(Status.SKIP),
    }


def render(report: Report, *, color: bool = False) -> str:
    """The report as a UTF-8 JUnit XML document (with its declaration), ending in a newline."""
    del color  # machines read this
    areas: dict[str, list[Finding]] = {}
    for finding in report.findings:
        areas.setdefault(finding.check, []).append(finding)
    root = ET.Element("testsuites", {"name": SUITES_NAME, **_counts(report.findings)})
    for area, findings in areas.items():
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(area), **_counts(findings)})
        if report.source is not None:  # a remote pipeline: which commit these results are for
            properties = ET.SubElement(suite, "properties")
            for key, value in source_fields(report.source).items():
                ET.SubElement(properties, "property", {"name": f"source.{key}", "value": value})
        suite.extend(_testcase(f) for f in findings)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

#!/usr/bin/python3
"""Read a privaudit workbook back with openpyxl and check what an auditor
relies on: the sheets and their headers, the Findings rows (count, order,
keys equal to the JSON report's), tables or autofilters, frozen headers,
real dates and numbers, text that stays text.

Run by tests/reports/test_xlsx.c with Debian's /usr/bin/python3 (package
python3-openpyxl). Prints one line per failed expectation and exits 1;
exits 0 silently when everything holds.

  xlsx_check.py FILE --findings N [--json REPORT] [--mode table|autofilter]
                [--max-rows N] [--changes] [--resolved N] [--readiness]
                [--string-cell TEXT]... [--contains TEXT]...
"""
import argparse
import datetime
import json
import sys
import zipfile

import openpyxl

FINDINGS_HEADERS = ["Severity", "Check", "Title", "Family", "Kind", "Account", "DN",
                    "SID", "Message", "Evidence", "Status", "Waiver reason",
                    "Waiver owner", "Waiver expires", "Change", "Key"]
LIST_SHEETS = ["Findings", "Privileged accounts", "VPN accounts"]
SEVERITIES = ["critical", "high", "medium", "low", "info"]

errors = []


def fail(msg):
    errors.append(msg)


def headers(ws, row=1):
    return [c.value for c in ws[row]]


def col_of(ws, name, row=1):
    h = headers(ws, row)
    if name not in h:
        fail(f"{ws.title}: no column {name!r} in {h}")
        return None
    return h.index(name)


def data_rows(ws, header_row=1):
    return list(ws.iter_rows(min_row=header_row + 1, values_only=False))


def parts_of(wb, base):
    names = [base]
    n = 2
    while f"{base} ({n})" in wb.sheetnames:
        names.append(f"{base} ({n})")
        n += 1
    return names


def check_filter(ws, mode, ncols, nrows, header_row=1):
    """A table (or in constant_memory mode an autofilter) over the list."""
    last = openpyxl.utils.get_column_letter(ncols)
    ref = f"A{header_row}:{last}{header_row + max(nrows, 0)}"
    tables = list(ws.tables.values())
    if mode == "table" and nrows > 0:
        if len(tables) != 1:
            fail(f"{ws.title}: expected one table, found {len(tables)}")
        elif tables[0].ref != ref:
            fail(f"{ws.title}: table covers {tables[0].ref}, expected {ref}")
        elif tables[0].autoFilter is None:
            fail(f"{ws.title}: table without an autofilter")
    else:
        if tables:
            fail(f"{ws.title}: unexpected tables in {mode} mode")
        if ws.auto_filter.ref != ref:
            fail(f"{ws.title}: autofilter {ws.auto_filter.ref!r}, expected {ref!r}")
    expect_freeze = f"A{header_row + 1}"
    if ws.freeze_panes != expect_freeze:
        fail(f"{ws.title}: frozen panes at {ws.freeze_panes!r}, expected {expect_freeze}")


def check_dates(ws, name, allowed_text=("never", "must change", "not read")):
    c = col_of(ws, name)
    if c is None:
        return 0
    n = 0
    for row in data_rows(ws):
        v = row[c].value
        if v is None or v in allowed_text:
            continue
        if not isinstance(v, datetime.datetime):
            fail(f"{ws.title}!{row[c].coordinate}: {name} is {type(v).__name__} {v!r}, not a date")
        elif not row[c].is_date:
            fail(f"{ws.title}!{row[c].coordinate}: {name} has no date format")
        n += 1
    return n


def check_numbers(ws, name):
    c = col_of(ws, name)
    if c is None:
        return 0
    n = 0
    for row in data_rows(ws):
        v = row[c].value
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            fail(f"{ws.title}!{row[c].coordinate}: {name} is {v!r}, not a number")
        n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--findings", type=int, required=True)
    ap.add_argument("--json")
    ap.add_argument("--mode", choices=["table", "autofilter"], default="table")
    ap.add_argument("--max-rows", type=int, default=1048576)
    ap.add_argument("--changes", action="store_true")
    ap.add_argument("--readiness", action="store_true",
                    help="the Summary must give the VPN readiness verdict")
    ap.add_argument("--resolved", type=int)
    ap.add_argument("--string-cell", action="append", default=[])
    ap.add_argument("--contains", action="append", default=[])
    ap.add_argument("--expect-dates", action="store_true",
                    help="some account dates and ages must be present")
    args = ap.parse_args()

    wb = openpyxl.load_workbook(args.file)

    # Sheets, in order
    findings_parts = parts_of(wb, "Findings")
    expected = ["Summary"] + findings_parts
    for base in ("Privileged accounts", "VPN accounts", "Password policy", "Checks", "Waivers"):
        expected += parts_of(wb, base)
    if args.changes:
        expected += parts_of(wb, "Changes")
    if wb.sheetnames != expected:
        fail(f"sheets {wb.sheetnames}, expected {expected}")

    # Findings: headers, rows, order, filters
    want_headers = [h for h in FINDINGS_HEADERS if args.changes or h != "Change"]
    rows = []
    for name in findings_parts:
        ws = wb[name]
        if headers(ws) != want_headers:
            fail(f"{name}: headers {headers(ws)}, expected {want_headers}")
            continue
        part = [[c.value for c in r] for r in data_rows(ws)]
        if len(part) + 1 > args.max_rows:
            fail(f"{name}: {len(part) + 1} rows, above the limit {args.max_rows}")
        if name != findings_parts[-1] and len(part) + 1 != args.max_rows:
            fail(f"{name}: continued with only {len(part) + 1} rows of {args.max_rows}")
        check_filter(ws, args.mode, len(want_headers), len(part))
        rows += part
    if len(rows) != args.findings:
        fail(f"Findings: {len(rows)} rows, expected {args.findings}")
    key_col = want_headers.index("Key")
    sev_col = want_headers.index("Severity")
    status_col = want_headers.index("Status")
    for r in rows:
        if r[sev_col] not in SEVERITIES:
            fail(f"Findings: bad severity {r[sev_col]!r}")
        if r[status_col] not in ("open", "waived"):
            fail(f"Findings: bad status {r[status_col]!r}")

    summary = wb["Summary"]
    labels = {}
    for row in summary.iter_rows():
        if row[0].value is not None and row[0].value not in labels:
            labels[row[0].value] = row
    ev = labels.get("Evaluated at (UTC)")
    if not ev or not isinstance(ev[1].value, datetime.datetime) or not ev[1].is_date:
        fail("Summary: Evaluated at is not a date")
    if not labels.get("Verdict") or labels["Verdict"][1].value not in ("PASS", "FAIL"):
        fail("Summary: no verdict")
    if args.readiness and (not labels.get("VPN readiness") or
                           labels["VPN readiness"][1].value not in ("GO", "NO-GO")):
        fail("Summary: no VPN readiness verdict")
    if not labels.get("Policy SHA-256") or len(str(labels["Policy SHA-256"][1].value)) != 64:
        fail("Summary: no policy SHA-256")
    links = [c.hyperlink.location for row in summary.iter_rows() for c in row if c.hyperlink]
    for name in wb.sheetnames[1:]:
        if f"'{name}'!A1" not in links:
            fail(f"Summary: no link to {name!r} (links: {links})")
    with zipfile.ZipFile(args.file) as z:
        if not any(n.startswith("xl/charts/chart") for n in z.namelist()):
            fail("Summary: no chart")

    # Against the JSON report
    if args.json:
        with open(args.json, encoding="utf-8") as f:
            rep = json.load(f)
        keys = [f["key"] for f in rep["findings"]]
        got = [r[key_col] for r in rows]
        if got != keys:
            fail(f"Findings keys differ from the JSON report's: {got[:5]}... vs {keys[:5]}...")
        if rep["summary"]["gate"]["verdict"].upper() != labels["Verdict"][1].value:
            fail("Summary: verdict differs from the JSON report's")
        for sev in SEVERITIES:
            row = labels.get(sev)
            if not row or row[1].value != rep["summary"]["findings"][sev]:
                fail(f"Summary: {sev} count {row[1].value if row else None}, "
                     f"JSON {rep['summary']['findings'][sev]}")
        ready = rep.get("readiness")
        got_ready = labels["VPN readiness"][1].value if "VPN readiness" in labels else None
        if (ready or {}).get("verdict") != got_ready:
            fail(f"Summary: VPN readiness {got_ready!r}, JSON {ready and ready.get('verdict')!r}")
        if labels.get("Waived findings") is None or \
                labels["Waived findings"][1].value != rep["summary"]["waived"]:
            fail("Summary: waived count differs from the JSON report's")
        npriv = sum(len(data_rows(wb[n])) for n in parts_of(wb, "Privileged accounts"))
        if npriv != len(rep["privileged_accounts"]):
            fail(f"Privileged accounts: {npriv} rows, JSON {len(rep['privileged_accounts'])}")
        nvpn = sum(len(data_rows(wb[n])) for n in parts_of(wb, "VPN accounts"))
        if nvpn != len(rep["vpn_accounts"]):
            fail(f"VPN accounts: {nvpn} rows, JSON {len(rep['vpn_accounts'])}")
        check_rows = [r for n in parts_of(wb, "Checks") for r in data_rows(wb[n])]
        if len(check_rows) != len(rep["checks"]):
            fail("Checks: row count differs from the JSON report's")
        else:
            st = col_of(wb["Checks"], "Status")
            for row, c in zip(check_rows, rep["checks"]):
                if row[0].value != c["id"] or row[st].value != c["status"]:
                    fail(f"Checks: {row[0].value} {row[st].value} vs {c['id']} {c['status']}")

    # Typed cells
    dates = numbers = 0
    for base in ("Privileged accounts", "VPN accounts"):
        for name in parts_of(wb, base):
            ws = wb[name]
            dates += check_dates(ws, "Last logon (UTC)")
            dates += check_dates(ws, "Password last set (UTC)")
            numbers += check_numbers(ws, "Password age (days)")
            numbers += check_numbers(ws, "Days since logon")
            check_filter(ws, args.mode, len(headers(ws)), len(data_rows(ws)))
    if args.expect_dates and (dates == 0 or numbers == 0):
        fail(f"accounts: {dates} dates and {numbers} ages, expected some of each")
    for base in ("Checks", "Waivers", "Password policy"):
        for name in parts_of(wb, base):
            ws = wb[name]
            check_filter(ws, args.mode, len(headers(ws)), len(data_rows(ws)))
    for name in parts_of(wb, "Waivers"):
        check_dates(wb[name], "Expires")
    for name in parts_of(wb, "Checks"):
        check_numbers(wb[name], "Findings")

    if args.changes:
        ch = wb["Changes"]
        lab = {r[0].value: r[1].value for r in ch.iter_rows() if r[0].value}
        if args.resolved is not None and lab.get("Resolved") != args.resolved:
            fail(f"Changes: resolved {lab.get('Resolved')!r}, expected {args.resolved}")

    # Text that must stay text, and text that must survive intact
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    for text in args.string_cell:
        hit = [c for c in cells if c.value == text]
        if not hit:
            fail(f"no cell holds exactly {text!r}")
        for c in hit:
            if c.data_type != "s":
                fail(f"{c.parent.title}!{c.coordinate}: {text!r} has type {c.data_type!r}")
    for text in args.contains:
        if not any(isinstance(c.value, str) and text in c.value for c in cells):
            fail(f"no cell contains {text!r}")

    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

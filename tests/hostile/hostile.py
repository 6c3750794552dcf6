#!/usr/bin/python3
"""Hostile directory content for privaudit (issue 8), and the checks of
what privaudit makes of it. Standard library only, except openpyxl for the
workbook (tests/hostile/run says so when it is missing).

  hostile.py gen DIR          write DIR/SCENARIO.ldif for every scenario and
                              DIR/policy.json
  hostile.py list             the scenario names, one a line
  hostile.py check SCENARIO DIR
                              check DIR/report.json, report.xlsx, junit.xml,
                              console.txt (and diff.json, diff.xlsx when
                              present) written by an audit of SCENARIO.ldif;
                              prints one line per problem, exits 1 if any

Each scenario is one small domain (hostile.test) carrying one kind of
hostile content; "all" carries every kind at once. The expected findings
are keyed by objectSid, never by sAMAccountName: a name may be invalid
UTF-8 (and is then cleaned in the reports) or shared by two accounts.

Every value that is not plain ASCII is written base64 (as ldapsearch
does), so the files carry control characters, NUL and invalid UTF-8 as
bytes.
"""

import base64
import json
import os
import sys
import zipfile
import xml.etree.ElementTree as ET

BASE = "DC=hostile,DC=test"
HOSTILE_OU = "OU=Hostile," + BASE
DOMAIN_SID = "S-1-5-21-1000-2000-3000"
FILETIME_EPOCH = 11644473600
NOW = "2026-01-15T00:00:00Z"
NEVER = "9223372036854775807"
WRAP = 76

# Unix times (UTC) the accounts carry: nothing stale, no old password,
# passwords reset after the incident of the policy.
T_CREATED = 1577836800      # 2020-01-01
T_PWD = 1762000000          # 2025-11-01
T_LOGON = 1768003200        # 2026-01-10

DA = "CN=Domain Admins,CN=Users," + BASE
VPN = "CN=VPN-Users,OU=Groups," + BASE
MFA = "CN=MFA-Enrolled,OU=Groups," + BASE
FILTER_GROUP = "(|(cn=*))"
STAR_GROUP = "*"
FORMULA_PREFIXES = ("=", "+", "-", "@")

POLICY = {
    "version": 1,
    "incident": {"password_reset_after": "2025-10-04T00:00:00Z"},
    # names that look like LDAP filters: matched literally, never as a
    # filter or a wildcard ("*" must not make every group an MFA group)
    "privileged": {"extra_groups": [FILTER_GROUP, "a)(b\\2a"]},
    "vpn": {"groups": ["VPN-Users"], "dialin_attribute": True},
    "mfa": {"groups": ["MFA-Enrolled", STAR_GROUP], "smartcard_required": True},
    "service_accounts": {"name_patterns": ["svc-*"], "ous": []},
    "gate": {"fail_on": "high", "unknown_fails": False},
}


def filetime(unix):
    return str((int(unix) + FILETIME_EPOCH) * 10000000)


def gentime(unix):
    import time
    return time.strftime("%Y%m%d%H%M%S.0Z", time.gmtime(int(unix)))


def sid_bytes(text):
    parts = text.split("-")
    rev, auth, subs = int(parts[1]), int(parts[2]), [int(p) for p in parts[3:]]
    out = bytes([rev, len(subs)]) + auth.to_bytes(6, "big")
    for s in subs:
        out += s.to_bytes(4, "little")
    return out


def fold(line):
    if len(line) <= WRAP:
        return line
    parts = [line[:WRAP]]
    rest = line[WRAP:]
    while rest:
        parts.append(" " + rest[:WRAP - 1])
        rest = rest[WRAP - 1:]
    return "\n".join(parts)


def is_plain(value):
    if not value:
        return True
    if value[0] in " :<" or value[-1] == " ":
        return False
    return all(0x20 <= ord(ch) <= 0x7E for ch in value)


def attr_line(name, value):
    if isinstance(value, bytes):
        return fold(name + ":: " + base64.b64encode(value).decode("ascii"))
    if is_plain(value):
        return fold(name + ": " + value)
    return fold(name + ":: " + base64.b64encode(value.encode("utf-8")).decode("ascii"))


class Domain:
    """A small domain: the well-known objects, then what scenarios add."""

    def __init__(self):
        self.entries = []          # [dn, [(name, value)], members list or None]
        self.groups = {}           # dn -> members list
        self.next_rid = 1100
        self.expect = {
            "privileged": {},      # sid -> what the path must end with (or None)
            "not_privileged": [],  # sids
            "findings": [],        # (check, sid)
            "no_findings": [],     # (check, sid)
        }
        self._base()

    def rid(self):
        self.next_rid += 1
        return self.next_rid

    def sid(self, rid):
        return DOMAIN_SID + "-" + str(rid)

    def add(self, dn, attrs):
        self.entries.append((dn, attrs))

    def container(self, dn, cls="organizationalUnit"):
        rdn = dn.split(",", 1)[0]
        self.add(dn, [("objectClass", ["top", cls]),
                      ("ou" if rdn.upper().startswith("OU=") else "cn", rdn.split("=", 1)[1]),
                      ("whenCreated", gentime(T_CREATED))])

    def group(self, dn, sam, sid, members=(), group_type="-2147483646", description=None,
              cn=None):
        members = list(members)
        self.groups[dn] = members
        self.add(dn, [("objectClass", ["top", "group"]),
                      ("cn", cn if cn is not None else sam),
                      ("description", description),
                      ("member", members),
                      ("whenCreated", gentime(T_CREATED)),
                      ("whenChanged", gentime(T_CREATED)),
                      ("objectSid", sid_bytes(sid)),
                      ("sAMAccountName", sam),
                      ("groupType", group_type)])

    def member(self, group_dn, dn):
        self.groups[group_dn].append(dn)

    def user(self, dn, sam, rid=None, cn=None, description=None, extra=(), groups=(),
             uac=512, spn=None, info=None, display=None):
        rid = rid or self.rid()
        sid = self.sid(rid)
        self.add(dn, [("objectClass", ["top", "person", "organizationalPerson", "user"]),
                      ("cn", cn if cn is not None else sam),
                      ("description", description),
                      ("info", info),
                      ("displayName", display),
                      ("whenCreated", gentime(T_CREATED)),
                      ("whenChanged", gentime(T_PWD)),
                      ("userAccountControl", str(uac)),
                      ("pwdLastSet", filetime(T_PWD)),
                      ("lastLogonTimestamp", filetime(T_LOGON)),
                      ("lastLogon", filetime(T_LOGON)),
                      ("primaryGroupID", "513"),
                      ("objectSid", sid_bytes(sid)),
                      ("accountExpires", NEVER),
                      ("sAMAccountName", sam),
                      ("sAMAccountType", "805306368"),
                      ("employeeID", "E" + str(rid)),
                      ("manager", "CN=Administrator,CN=Users," + BASE),
                      ("servicePrincipalName", spn),
                      ("msDS-SupportedEncryptionTypes", "24" if spn else None)]
                 + list(extra))
        for g in groups:
            self.member(g, dn)
        return sid

    def privileged(self, sid, path_end="Domain Admins"):
        self.expect["privileged"][sid] = path_end
        # a privileged person without MFA evidence: always reported
        self.expect["findings"].append(("mfa.privileged-missing", sid))

    def _base(self):
        self.add(BASE, [("objectClass", ["top", "domain", "domainDNS"]),
                        ("distinguishedName", BASE),
                        ("whenCreated", gentime(T_CREATED)),
                        ("objectSid", sid_bytes(DOMAIN_SID)),
                        ("minPwdLength", "14"), ("pwdHistoryLength", "24"),
                        ("lockoutThreshold", "5"), ("pwdProperties", "1"),
                        ("maxPwdAge", "-77760000000000"),
                        ("lockoutDuration", "-18000000000"),
                        ("lockOutObservationWindow", "-18000000000")])
        self.container("CN=Users," + BASE, "container")
        self.container("CN=Builtin," + BASE, "builtinDomain")
        self.container("OU=Groups," + BASE)
        self.container(HOSTILE_OU)
        self.group("CN=Administrators,CN=Builtin," + BASE, "Administrators", "S-1-5-32-544",
                   [DA], group_type="-2147483643")
        self.group(DA, "Domain Admins", self.sid(512),
                   ["CN=Administrator,CN=Users," + BASE])
        self.group("CN=Domain Users,CN=Users," + BASE, "Domain Users", self.sid(513))
        self.group("CN=Protected Users,CN=Users," + BASE, "Protected Users", self.sid(525))
        self.group(VPN, "VPN-Users", self.sid(1001))
        self.group(MFA, "MFA-Enrolled", self.sid(1002))
        # groups named like LDAP filters, named in the policy
        self.group("CN=" + FILTER_GROUP + ",OU=Groups," + BASE, FILTER_GROUP, self.sid(1003))
        self.group("CN=\\*,OU=Groups," + BASE, STAR_GROUP, self.sid(1004))
        self.group("CN=a)(b\\\\2a,OU=Groups," + BASE, "a)(b\\2a", self.sid(1005))
        self.user("CN=Administrator,CN=Users," + BASE, "Administrator", rid=500,
                  groups=[MFA])
        self.user("CN=krbtgt,CN=Users," + BASE, "krbtgt", rid=502, uac=514)

    def write(self, path):
        with open(path, "w", encoding="ascii", newline="\n") as f:
            for dn, attrs in self.entries:
                f.write(attr_line("dn", dn) + "\n")
                seen = set()
                for name, value in attrs:
                    if value is None or name in seen:
                        continue
                    # a later (name, None) in extra removes nothing: the first wins
                    seen.add(name)
                    if isinstance(value, list):
                        if name == "member" and dn in self.groups:
                            value = self.groups[dn]
                        for v in value:
                            f.write(attr_line(name, v) + "\n")
                    else:
                        f.write(attr_line(name, value) + "\n")
                f.write("\n")


# Scenarios: each adds to a Domain and records what it expects.

def sc_control(d):
    """Control characters, NUL and invalid UTF-8 in names and descriptions."""
    ou = HOSTILE_OU
    s1 = d.user("CN=ctl1," + ou, "ctl.one",
                cn=b"ctl\x01\x02\x1b[31mred\x7f",
                description=b"Password: Winter2025 \x07\x1b]0;pwned\x07\x1b[2J",
                display="\u202eevil\u2028line\ufeff\ufffe\uffff",
                groups=[DA])
    s2 = d.user("CN=ctl2," + ou, b"bad\xff\xfeutf\xc0\xaf",
                description=b"overlong \xc0\xaf surrogate \xed\xa0\x80 cut \xe3\x81",
                info=b"five \xf8\x88\x80\x80\x80 big \xf4\x90\x80\x80 nul \x00 after",
                groups=[DA])
    s3 = d.user("CN=ctl3," + ou, "xml.breaker",
                description="]]></failure><injected attr=\"&amp;\"/>&<'\"",
                display="\x0b\x0c\x1f tab\there",
                groups=[DA])
    # invalid UTF-8 in a DN too, and a member naming it
    s4 = d.user(b"CN=dn\xff\xfe\x01," + ou.encode(), "dn.badutf8", groups=[DA])
    # control characters and XML's non-characters in the name itself: it is
    # in every report, the console and JUnit's testcase names
    s5 = d.user("CN=ctl5," + ou, b"ctl\x01\x1b[31msam\x7f\xef\xbf\xbe\xef\xbf\xbf]]>",
                groups=[DA])
    for s in (s1, s2, s3, s4, s5):
        d.privileged(s)
    d.expect["findings"].append(("acct.password-in-description", s1))


def sc_bigdesc(d):
    """A 1 MB description (password at its very end), a 1 MB info of
    multibyte characters, a 1 MB group description."""
    big = "x" * (1024 * 1024 - 40) + " password: Hunter2025!"
    s1 = d.user("CN=big.desc," + HOSTILE_OU, "big.desc", description=big,
                info="\u30d1" * (1024 * 1024 // 3), groups=[DA])
    d.group("CN=BigGroup,OU=Groups," + BASE, "BigGroup", d.sid(d.rid()),
            [], description="\u00e9" * (512 * 1024))
    s2 = d.user("CN=big.nopw," + HOSTILE_OU, "big.nopw",
                description="Password never expires " + "y" * (1024 * 1024))
    d.privileged(s1)
    d.expect["findings"].append(("acct.password-in-description", s1))
    d.expect["no_findings"].append(("acct.password-in-description", s2))


def sc_dn_escapes(d):
    """DNs with escaped commas, quotes, plus signs, multibyte characters,
    multi-valued RDNs; members naming them as AD writes them."""
    ou = "OU=Sales\\, EMEA," + HOSTILE_OU
    d.container(ou)
    tier0 = "CN=Admins\\, Tier 0," + ou
    d.group(tier0, "Admins, Tier 0", d.sid(d.rid()))
    d.member(DA, tier0)
    users = [
        ("CN=Smith\\, John," + ou, "jsmith"),
        ("CN=\\\"Quoted\\\" User," + ou, "quoted"),
        ("CN=Plus\\+Sign," + ou, "plussign"),
        ("CN=\u5c71\u7530 \u592a\u90ce," + ou, "yamada"),
        ("CN=\\#hash\\=eq\\;semi\\<lt\\>gt\\\\back," + ou, "specials"),
        ("CN=trail\\ ," + ou, "trail"),
        ("CN=multi+UID=mv," + ou, "multivalue"),
        ("CN=Hex\\2C Comma," + ou, "hexcomma"),
    ]
    for dn, sam in users:
        s = d.user(dn, sam, groups=[tier0])
        d.privileged(s)
        d.expect["findings"].append(("priv.nested", s))
    # members written in another case and with spaces after the commas
    s = d.user("CN=Case\\, Folded," + ou, "casefolded")
    d.member(tier0, "cn=case\\, folded, ou=sales\\, emea, ou=hostile, dc=hostile, dc=test")
    d.privileged(s)
    # a member naming nothing, and one naming a DN that is only a prefix
    d.member(tier0, "CN=Ghost\\, Nobody," + ou)
    d.member(tier0, "CN=Smith\\," + ou)
    s = d.user("CN=Smith\\, Jane," + ou, "jane.notadmin")
    d.expect["not_privileged"].append(s)


def sc_dup_sam(d):
    """Duplicate sAMAccountNames (differing in case too): each account is
    judged on its own."""
    a = d.user("CN=dup1," + HOSTILE_OU, "dup.user", groups=[VPN, DA])
    b = d.user("CN=dup2," + HOSTILE_OU, "dup.user", groups=[VPN])
    c = d.user("CN=dup3," + HOSTILE_OU, "DUP.USER", groups=[VPN, MFA])
    for s in (a, b):
        d.expect["findings"].append(("vpn.no-mfa", s))
    d.expect["no_findings"].append(("vpn.no-mfa", c))
    d.privileged(a)
    d.expect["findings"].append(("vpn.privileged", a))
    d.expect["not_privileged"] += [b, c]
    # two groups sharing a name; one privileged
    d.group("CN=Twin1,OU=Groups," + BASE, "Twin", d.sid(d.rid()))
    d.group("CN=Twin2,OU=Groups," + BASE, "Twin", d.sid(d.rid()))
    d.member(DA, "CN=Twin1,OU=Groups," + BASE)
    s = d.user("CN=twin.member," + HOSTILE_OU, "twin.member", groups=["CN=Twin1,OU=Groups," + BASE])
    d.privileged(s)
    s = d.user("CN=twin.other," + HOSTILE_OU, "twin.other", groups=["CN=Twin2,OU=Groups," + BASE])
    d.expect["not_privileged"].append(s)


def sc_cycles(d):
    """Membership cycles: 2-cycle, a 500-group cycle, self-membership, a
    cycle through Domain Admins, a cycle that reaches nothing."""
    g = "OU=Groups," + BASE
    a, b = "CN=Cyc2a," + g, "CN=Cyc2b," + g
    d.group(a, "Cyc2a", d.sid(d.rid()), [b])
    d.group(b, "Cyc2b", d.sid(d.rid()), [a])
    d.member(DA, b)
    d.privileged(d.user("CN=cyc2," + HOSTILE_OU, "cyc2", groups=[a]))

    n = 500
    dns = ["CN=Long%03d,%s" % (i, g) for i in range(n)]
    for i in range(n):
        d.group(dns[i], "Long%03d" % i, d.sid(d.rid()))
    for i in range(n):
        d.member(dns[(i + 1) % n], dns[i])      # Long(i) is a member of Long(i+1)
    d.member(DA, dns[250])
    d.privileged(d.user("CN=cyclong," + HOSTILE_OU, "cyclong", groups=[dns[0]]))

    s = "CN=Self," + g
    d.group(s, "Self", d.sid(d.rid()), [s])
    d.member(DA, s)
    d.privileged(d.user("CN=cycself," + HOSTILE_OU, "cycself", groups=[s]))

    back = "CN=Back," + g
    d.group(back, "Back", d.sid(d.rid()), [DA])
    d.member(DA, back)
    d.member(DA, DA)
    d.privileged(d.user("CN=cycback," + HOSTILE_OU, "cycback", groups=[back]))

    n1, n2 = "CN=Nowhere1," + g, "CN=Nowhere2," + g
    d.group(n1, "Nowhere1", d.sid(d.rid()), [n2])
    d.group(n2, "Nowhere2", d.sid(d.rid()), [n1, n2])
    d.expect["not_privileged"].append(d.user("CN=cycnone," + HOSTILE_OU, "cycnone",
                                             groups=[n1]))


def sc_formula(d):
    """Cells beginning with =, +, -, @ (and tab, CR): text, never formulas."""
    rows = [
        ("=cmd|' /C calc'!A0", "=1+1", "=HYPERLINK(\"http://evil.example/\",\"click\")"),
        ("+SUM(1,1)", "+cn", "+1+1"),
        ("-2+3", "-cn", "-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "@cn", "@SUM(1+1)*cmd|' /C calc'!A0"),
        ("fml.tab", "\t=1+1", "\t=1+1"),
        ("fml.cr", "\r=1+1", "\r=1+1"),
    ]
    for i, (sam, cn, desc) in enumerate(rows):
        s = d.user("CN=formula%d,%s" % (i, HOSTILE_OU), sam, cn=cn, description=desc,
                   display=desc, groups=[DA])
        d.privileged(s)
    # a formula-looking group on the membership path
    fg = "CN=formula-group,OU=Groups," + BASE
    d.group(fg, "=SUM(9,9)", d.sid(d.rid()), [], description="=cmd")
    d.member(DA, fg)
    s = d.user("CN=formula-nested," + HOSTILE_OU, "fml.nested", groups=[fg])
    d.privileged(s)
    d.expect["findings"].append(("priv.nested", s))


def sc_filter(d):
    """Group names that look like LDAP filter syntax, named in the policy."""
    fg = "CN=" + FILTER_GROUP + ",OU=Groups," + BASE
    s = d.user("CN=filt.member," + HOSTILE_OU, "filt.member", groups=[fg])
    d.privileged(s, FILTER_GROUP)
    s = d.user("CN=filt.odd," + HOSTILE_OU, "filt.odd",
               groups=["CN=a)(b\\\\2a,OU=Groups," + BASE])
    d.privileged(s, "a)(b\\2a")
    # "*" as an MFA group is one group, not every group
    s = d.user("CN=star.member," + HOSTILE_OU, "star.member",
               groups=["CN=\\*,OU=Groups," + BASE, DA])
    d.expect["privileged"][s] = "Domain Admins"
    d.expect["no_findings"].append(("mfa.privileged-missing", s))
    s = d.user("CN=filt.plain," + HOSTILE_OU, "filt.plain", groups=[DA])
    d.privileged(s)
    s = d.user("CN=filt.nobody," + HOSTILE_OU, "filt.nobody")
    d.expect["not_privileged"].append(s)


def sc_spn(d):
    """10,000 SPNs on one account (privileged) and on another (not)."""
    spns = ["HTTP/host%05d.hostile.test" % i for i in range(10000)]
    s = d.user("CN=svc-many," + HOSTILE_OU, "svc-many", spn=spns, groups=[DA])
    d.expect["privileged"][s] = "Domain Admins"
    d.expect["findings"].append(("priv.kerberoastable", s))
    s = d.user("CN=svc-many2," + HOSTILE_OU, "svc-many2",
               spn=["MSSQLSvc/db%05d.hostile.test:1433" % i for i in range(10000)])
    d.expect["findings"].append(("krb.kerberoastable", s))
    d.expect["not_privileged"].append(s)


def sc_longdn(d):
    """A 70,000-character RDN and 3,000 nested OUs (a 45 KB DN)."""
    s = d.user("CN=" + "a" * 70000 + "," + HOSTILE_OU, "long.cn", groups=[DA])
    d.privileged(s)
    deep = ",".join("OU=level%04d" % i for i in range(3000)) + "," + HOSTILE_OU
    s = d.user("CN=deep.ou," + deep, "deep.ou", groups=[DA])
    d.privileged(s)
    lg = "CN=" + "g" * 40000 + ",OU=Groups," + BASE
    d.group(lg, "long-group", d.sid(d.rid()), [])
    d.member(DA, lg)
    s = d.user("CN=long.nested," + HOSTILE_OU, "long.nested", groups=[lg])
    d.privileged(s)


def sc_many_groups(d):
    """An account in 20,000 groups (listed twice in some), one of them in
    Domain Admins; another in 20,000 groups that reach nothing."""
    g = "OU=Groups," + BASE
    n = 20000
    dns = ["CN=Many%05d,%s" % (i, g) for i in range(n)]
    for i in range(n):
        d.group(dns[i], "Many%05d" % i, d.sid(d.rid()))
    d.member(DA, dns[n - 1])
    s = d.user("CN=in.many," + HOSTILE_OU, "in.many", groups=dns + dns[:100])
    d.privileged(s, "Domain Admins")
    d.expect["findings"].append(("priv.nested", s))
    none = ["CN=None%05d,%s" % (i, g) for i in range(n)]
    for i in range(n):
        d.group(none[i], "None%05d" % i, d.sid(d.rid()))
    s = d.user("CN=in.none," + HOSTILE_OU, "in.none", groups=none)
    d.expect["not_privileged"].append(s)


SCENARIOS = {
    "control": sc_control,
    "bigdesc": sc_bigdesc,
    "dn-escapes": sc_dn_escapes,
    "dup-sam": sc_dup_sam,
    "cycles": sc_cycles,
    "formula": sc_formula,
    "filter": sc_filter,
    "spn": sc_spn,
    "longdn": sc_longdn,
    "many-groups": sc_many_groups,
}


def build(name):
    d = Domain()
    for n, fn in SCENARIOS.items():
        if name in (n, "all"):
            fn(d)
    return d


def names():
    return list(SCENARIOS) + ["all"]


def gen(outdir):
    os.makedirs(outdir, exist_ok=True)
    for n in names():
        d = build(n)
        d.write(os.path.join(outdir, n + ".ldif"))
        with open(os.path.join(outdir, n + ".expect.json"), "w") as f:
            json.dump(d.expect, f)
    with open(os.path.join(outdir, "policy.json"), "w") as f:
        json.dump(POLICY, f, indent=2)


# Checks

class Problems:
    def __init__(self):
        self.list = []

    def add(self, what):
        self.list.append(what)


def short(s, n=80):
    s = repr(s)
    return s if len(s) <= n else s[:n] + "..."


def walk_strings(obj, where="$"):
    if isinstance(obj, str):
        yield where, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield where, k
            yield from walk_strings(v, where + "." + k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk_strings(v, "%s[%d]" % (where, i))


def check_json(path, expect, p):
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        p.add("JSON report missing: %s" % e)
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        p.add("JSON report is not UTF-8: %s" % e)
        return None
    try:
        rep = json.loads(text)
    except ValueError as e:
        p.add("JSON report does not parse: %s" % e)
        return None
    for where, s in walk_strings(rep):
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            p.add("JSON string at %s is not Unicode (lone surrogate): %s" % (where, short(s)))
            break
    findings = {}
    for f in rep.get("findings", []):
        sid = (f.get("subject") or {}).get("sid")
        findings.setdefault((f.get("check"), sid), []).append(f)
    priv = {a.get("sid"): a for a in rep.get("privileged_accounts", [])}
    for check, sid in expect["findings"]:
        if (check, sid) not in findings:
            p.add("expected finding %s for %s is missing" % (check, sid))
    for check, sid in expect["no_findings"]:
        if (check, sid) in findings:
            p.add("unexpected finding %s for %s" % (check, sid))
    for sid, end in expect["privileged"].items():
        a = priv.get(sid)
        if not a:
            p.add("%s is not listed as privileged" % sid)
            continue
        path = a.get("path") or ""
        hops = path.split(" -> ")
        if len(path) > 2 * 1024 * 1024:
            p.add("%s: membership path of %d characters" % (sid, len(path)))
        if end and not path.endswith(" -> " + end):
            p.add("%s: path does not end with %r: %s" % (sid, end, short(path[-200:])))
        if len(hops) != len(set(hops)):
            p.add("%s: path repeats a hop (a cycle followed): %s" % (sid, short(path[:200])))
    for sid in expect["not_privileged"]:
        if sid in priv:
            p.add("%s is listed as privileged (path %s), it is not" % (sid, short(priv[sid].get("path"))))
        for (check, fsid) in findings:
            if fsid == sid and check.startswith(("priv.", "mfa.privileged")):
                p.add("%s has privileged finding %s, it is not privileged" % (sid, check))
    # every finding's subject is printable: no raw control characters
    for f in rep.get("findings", []):
        for k in ("sam", "dn"):
            v = (f.get("subject") or {}).get(k)
            if isinstance(v, str) and "\x00" in v:
                p.add("finding subject.%s holds NUL: %s" % (k, short(v)))
    return rep


def check_xlsx(path, p, label="workbook"):
    try:
        import openpyxl
    except ImportError:
        p.add("openpyxl missing: cannot check the workbook")
        return
    try:
        wb = openpyxl.load_workbook(path, read_only=False)
    except Exception as e:  # noqa: BLE001 - any failure to open is the finding
        p.add("%s does not open: %s: %s" % (label, type(e).__name__, e))
        return
    hostile = ("cmd|", "HYPERLINK", "SUM(", "1+1")
    nformula = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if c.data_type == "f":
                    if isinstance(v, str) and any(h in v for h in hostile):
                        p.add("%s: %s!%s is a formula from directory data: %s"
                              % (label, ws.title, c.coordinate, short(v)))
                    nformula += 1
                    continue
                if isinstance(v, str) and v[:1] in FORMULA_PREFIXES and c.data_type != "s":
                    p.add("%s: %s!%s begins with %r but is of type %r"
                          % (label, ws.title, c.coordinate, v[:1], c.data_type))
                if isinstance(v, str) and len(v) > 32767:
                    p.add("%s: %s!%s holds %d characters (Excel's limit is 32767)"
                          % (label, ws.title, c.coordinate, len(v)))
    # the raw XML too: no <f> element carrying directory text
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                data = z.read(n)
                if b"<f>" in data and any(h.encode() in data.split(b"<f>", 1)[1][:200]
                                          for h in hostile):
                    p.add("%s: %s has a formula element with directory text" % (label, n))


def check_junit(path, p):
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError) as e:
        p.add("JUnit report is not well-formed XML: %s" % e)
        return
    root = tree.getroot()
    if root.tag not in ("testsuites", "testsuite"):
        p.add("JUnit root element is <%s>" % root.tag)


def check_console(path, p):
    try:
        data = open(path, "rb").read()
    except OSError as e:
        p.add("console output missing: %s" % e)
        return
    for i, b in enumerate(data):
        if (b < 0x20 and b not in (0x0a, 0x09)) or b == 0x7f:
            p.add("console output holds control byte 0x%02x at offset %d: %s"
                  % (b, i, short(data[max(0, i - 30):i + 30])))
            return


def check_diff(d, p):
    path = os.path.join(d, "diff.json")
    if not os.path.exists(path):
        return
    try:
        diff = json.load(open(path, encoding="utf-8"))
    except ValueError as e:
        p.add("diff JSON does not parse: %s" % e)
        return
    c = diff.get("counts", {})
    if c.get("new") != 0 or c.get("resolved") != 0:
        p.add("a report diffed with itself has changes: %s" % c)
    if os.path.exists(os.path.join(d, "diff.xlsx")):
        check_xlsx(os.path.join(d, "diff.xlsx"), p, "diff workbook")


def check(scenario, d):
    p = Problems()
    expect = json.load(open(os.path.join(d, scenario + ".expect.json")))
    check_json(os.path.join(d, "report.json"), expect, p)
    check_xlsx(os.path.join(d, "report.xlsx"), p)
    check_junit(os.path.join(d, "junit.xml"), p)
    check_console(os.path.join(d, "console.txt"), p)
    check_diff(d, p)
    for what in p.list:
        print(what)
    return 1 if p.list else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        gen(sys.argv[2])
        return 0
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        print("\n".join(names()))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

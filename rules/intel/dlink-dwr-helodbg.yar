/*
 * D-Link DWR-932B LTE router: /bin/appmgr listens on UDP 39889; the word
 * "HELODBG" makes it run "/sbin/telnetd -l /bin/sh", a root shell without
 * a password.  Pierre Kim, 2016.
 */
rule dlink_dwr_helodbg
{
    meta:
        id = "FV-BKDR-004"
        severity = "critical"
        confidence = "high"
        description = "D-Link appmgr starts a password-less root telnetd on a HELODBG packet to UDP 39889"
        cve = "CVE-2016-10178"
        reference = "https://pierrekim.github.io/blog/2016-09-28-dlink-dwr-932b-lte-routers-vulnerabilities.html"
    strings:
        $magic = "HELODBG" fullword
        $telnetd = "telnetd -l /bin/sh"
        $bye = "BYEDBG"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $magic and ($telnetd or $bye)
}

rule dlink_dwr_helodbg_named
{
    meta:
        id = "FV-BKDR-004"
        severity = "low"
        confidence = "low"
        description = "Names the D-Link HELODBG backdoor word, outside the daemon that answers it"
        cve = "CVE-2016-10178"
        reference = "https://pierrekim.github.io/blog/2016-09-28-dlink-dwr-932b-lte-routers-vulnerabilities.html"
    strings:
        $magic = "HELODBG" fullword
    condition:
        $magic and not dlink_dwr_helodbg
}

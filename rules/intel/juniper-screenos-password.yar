/*
 * Juniper ScreenOS 6.2.0r15-r18 and 6.3.0r12-r20: unauthorized code in
 * auth_admin_internal accepts the fixed password "<<< %s(un='%s') = %u"
 * (made to look like a log format string) for any user over SSH and
 * telnet.  ScreenOS images are not ELF, so the rule works on raw data too;
 * the platform name is the second indicator.
 */
rule juniper_screenos_password
{
    meta:
        id = "FV-BKDR-005"
        severity = "critical"
        confidence = "high"
        description = "Juniper ScreenOS accepts a fixed backdoor password for any account over SSH/telnet"
        cve = "CVE-2015-7755"
        reference = "https://github.com/hdm/juniper-cve-2015-7755"
    strings:
        $password = "<<< %s(un='%s') = %u"
        $netscreen = "netscreen" nocase
        $screenos = "screenos" nocase
        $function = "auth_admin_internal"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $password and ($netscreen or $screenos or $function)
}

rule juniper_screenos_password_named
{
    meta:
        id = "FV-BKDR-005"
        severity = "low"
        confidence = "low"
        description = "Names the Juniper ScreenOS backdoor password, outside a ScreenOS image"
        cve = "CVE-2015-7755"
        reference = "https://github.com/hdm/juniper-cve-2015-7755"
    strings:
        $password = "<<< %s(un='%s') = %u"
    condition:
        $password and not juniper_screenos_password
}

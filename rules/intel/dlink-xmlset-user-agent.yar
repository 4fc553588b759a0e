/*
 * D-Link / Alpha Networks web server: a request whose User-Agent is
 * "xmlset_roodkcableoj28840ybtide" skips the login check (read backwards:
 * "edit by 04882 joel backdoor").  The string is the User-Agent that
 * /bin/xmlsetc sends to /bin/webs, so both programs carry it.
 * DIR-100, DIR-120, DI-524, DI-604+, TM-G5240, Planex BRL-04*, 2013.
 */
rule dlink_xmlset_user_agent
{
    meta:
        id = "FV-BKDR-001"
        severity = "critical"
        confidence = "high"
        description = "D-Link web server lets a magic User-Agent skip the login"
        cve = "CVE-2013-6026"
        reference = "http://www.devttys0.com/2013/10/reverse-engineering-a-d-link-backdoor/"
    strings:
        $magic = "xmlset_roodkcableoj28840ybtide"
        $ua = "User-Agent" nocase
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $magic and $ua
}

rule dlink_xmlset_user_agent_named
{
    meta:
        id = "FV-BKDR-001"
        severity = "low"
        confidence = "low"
        description = "Names the D-Link backdoor User-Agent, outside a program that checks it"
        cve = "CVE-2013-6026"
        reference = "http://www.devttys0.com/2013/10/reverse-engineering-a-d-link-backdoor/"
    strings:
        $magic = "xmlset_roodkcableoj28840ybtide"
    condition:
        $magic and not dlink_xmlset_user_agent
}

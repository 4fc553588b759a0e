/*
 * Netcore / Netis routers: igdmptd ("IGD MPT Interface daemon") listens on
 * UDP 53413, reachable from the WAN, and after the fixed password
 * "netcore" uploads, downloads and runs anything as root.  Tim Yeh, Trend
 * Micro, 2014; no CVE was assigned.
 */
rule netis_igdmptd
{
    meta:
        id = "FV-BKDR-011"
        severity = "critical"
        confidence = "high"
        description = "Netis/Netcore igdmptd runs commands for the fixed password netcore on UDP 53413"
        reference = "http://blog.trendmicro.com/trendlabs-security-intelligence/netis-routers-leave-wide-open-backdoor/"
    strings:
        $banner = "IGD MPT Interface daemon"
        $password = "netcore" fullword
        $login = "Login successed"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $banner and ($password or $login)
}

rule netis_igdmptd_named
{
    meta:
        id = "FV-BKDR-011"
        severity = "low"
        confidence = "low"
        description = "Names the Netis igdmptd backdoor daemon, outside the daemon itself"
        reference = "http://blog.trendmicro.com/trendlabs-security-intelligence/netis-routers-leave-wide-open-backdoor/"
    strings:
        $banner = "IGD MPT Interface daemon"
    condition:
        $banner and not netis_igdmptd
}

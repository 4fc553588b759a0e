/*
 * Netgear routers: telnetenabled listens for a "magic packet" (TCP or UDP
 * 23) Blowfish-encrypted with the key "AMBIT_TELNET_ENABLE+" (+ password)
 * and then starts utelnetd, a root shell.  Older firmware accepts the fixed
 * Gearguy / Geardog login; newer firmware needs the admin password, which
 * keeps it high rather than critical.  No CVE was assigned.
 */
rule netgear_telnetenable
{
    meta:
        id = "FV-BKDR-014"
        severity = "high"
        confidence = "medium"
        description = "Netgear telnetenabled opens a root telnet on an undocumented magic packet"
        reference = "https://openwrt.org/toh/netgear/telnet.console"
    strings:
        $key = "AMBIT_TELNET_ENABLE+"
        $utelnetd = "utelnetd"
        $telnetd = "telnetd"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $key and ($utelnetd or $telnetd)
}

rule netgear_telnetenable_named
{
    meta:
        id = "FV-BKDR-014"
        severity = "low"
        confidence = "low"
        description = "Names the Netgear telnetenable packet key, outside the daemon that checks it"
        reference = "https://openwrt.org/toh/netgear/telnet.console"
    strings:
        $key = "AMBIT_TELNET_ENABLE+"
    condition:
        $key and not netgear_telnetenable
}

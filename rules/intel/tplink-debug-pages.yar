/*
 * TP-Link TL-WR740N, TL-WR743ND, TL-MR3420 and others: httpd registers the
 * hidden pages /userRpmNatDebugRpm26525557/start_art.html (fetches and runs
 * a program by TFTP from the requester) and .../linux_cmdline.html (a root
 * shell behind the fixed login osteam / 5up).  Michal Sajdak, 2013; TP-Link
 * called it a test tool; no CVE was assigned.
 */
rule tplink_debug_pages
{
    meta:
        id = "FV-BKDR-008"
        severity = "high"
        confidence = "high"
        description = "TP-Link httpd serves hidden debug pages: TFTP download-and-run and an osteam/5up root shell"
        reference = "https://sekurak.pl/tp-link-httptftp-backdoor/"
    strings:
        $magic = "userRpmNatDebugRpm26525557"
        $cmdline = "linux_cmdline.html"
        $art = "start_art.html"
        $user = "osteam" fullword
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $magic and ($cmdline or $art or $user)
}

rule tplink_debug_pages_named
{
    meta:
        id = "FV-BKDR-008"
        severity = "low"
        confidence = "low"
        description = "Names the TP-Link hidden debug page path, outside the httpd that serves it"
        reference = "https://sekurak.pl/tp-link-httptftp-backdoor/"
    strings:
        $magic = "userRpmNatDebugRpm26525557"
    condition:
        $magic and not tplink_debug_pages
}

/*
 * D-Link DAP-1522 (Alpha Networks firmware): telnetd runs at boot and
 * takes the fixed password "wapnd01_dlink_dap1522", shipped in clear.
 * Alpha Networks firmware keeps this password in /etc/config/image_sign
 * and starts "telnetd -u Alphanetworks:<image_sign>", so the file named
 * image_sign, a boot script or a program that uses it are all the
 * backdoor.  Matteo Ignaccolo, 2013; no CVE was assigned.
 */
rule dlink_dap1522_telnet
{
    meta:
        id = "FV-BKDR-013"
        severity = "critical"
        confidence = "high"
        description = "D-Link DAP-1522 starts telnetd with a fixed, shipped password"
        reference = "https://tweakers.net/nieuws/92897/onderzoeker-ontdekt-nieuwe-achterdeur-in-d-link-firmware.html"
    strings:
        $password = "wapnd01_dlink_dap1522"
        $telnetd = "telnetd"
        $alpha = "Alphanetworks"
    condition:
        $password and (fv_name == "image_sign" or
                       ((fv_kind == "elf" or fv_kind == "data" or fv_kind == "script") and ($telnetd or $alpha)))
}

rule dlink_dap1522_telnet_named
{
    meta:
        id = "FV-BKDR-013"
        severity = "low"
        confidence = "low"
        description = "Names the D-Link DAP-1522 telnet password, outside the files that use it"
        reference = "https://tweakers.net/nieuws/92897/onderzoeker-ontdekt-nieuwe-achterdeur-in-d-link-firmware.html"
    strings:
        $password = "wapnd01_dlink_dap1522"
    condition:
        $password and not dlink_dap1522_telnet
}

/*
 * Tenda W302R / W330R (and rebrands such as Medialink MWN-WAPR150N): the
 * GoAhead-based httpd starts MfgThread, which listens on UDP 7329 and runs
 * any command sent after the "w302r_mfg" magic, as root.  Found by Craig
 * Heffner, 2013; no CVE was assigned.
 */
rule tenda_w302r_mfg
{
    meta:
        id = "FV-BKDR-002"
        severity = "critical"
        confidence = "high"
        description = "Tenda httpd runs commands sent with the w302r_mfg magic on UDP 7329"
        reference = "http://www.devttys0.com/2013/10/from-china-with-love/"
    strings:
        $magic = "w302r_mfg" fullword
        $goahead = "GoAhead" nocase
        $thread = "MfgThread"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $magic and ($goahead or $thread)
}

rule tenda_w302r_mfg_named
{
    meta:
        id = "FV-BKDR-002"
        severity = "low"
        confidence = "low"
        description = "Names the Tenda w302r_mfg backdoor magic, outside the httpd that answers it"
        reference = "http://www.devttys0.com/2013/10/from-china-with-love/"
    strings:
        $magic = "w302r_mfg" fullword
    condition:
        $magic and not tenda_w302r_mfg
}

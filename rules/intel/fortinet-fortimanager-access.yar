/*
 * FortiOS 4.1-5.0.7, FortiAnalyzer, FortiSwitch, FortiCache: the SSH server
 * lets the hidden account "Fortimanager_Access" in through a challenge
 * answered with SHA-1 over the fixed passphrase "FGTAbc11*xy+Qqz27".
 */
rule fortinet_fortimanager_access
{
    meta:
        id = "FV-BKDR-006"
        severity = "critical"
        confidence = "high"
        description = "Fortinet SSH server admits Fortimanager_Access with a hardcoded passphrase"
        cve = "CVE-2016-1909"
        reference = "http://seclists.org/fulldisclosure/2016/Jan/26"
    strings:
        $passphrase = "FGTAbc11*xy+Qqz27"
        $account = "Fortimanager_Access"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $passphrase and $account
}

rule fortinet_fortimanager_access_named
{
    meta:
        id = "FV-BKDR-006"
        severity = "low"
        confidence = "low"
        description = "Names the Fortinet Fortimanager_Access backdoor passphrase, outside the SSH server"
        cve = "CVE-2016-1909"
        reference = "http://seclists.org/fulldisclosure/2016/Jan/26"
    strings:
        $passphrase = "FGTAbc11*xy+Qqz27"
    condition:
        $passphrase and not fortinet_fortimanager_access
}

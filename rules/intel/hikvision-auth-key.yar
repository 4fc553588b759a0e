/*
 * Hikvision IP cameras (DS-2CD2xx2F-I and others, firmware 5.2.0-5.4.x):
 * any request carrying ?auth=YWRtaW46MTEK (base64 of "admin:11\n") is
 * served as the administrator: user list, configuration file, snapshots.
 * The public record describes the request, not the firmware layout, so the
 * rule looks for the encoded key as a constant in a program that also
 * holds the auth parameter or the web API paths; confidence is medium.
 */
rule hikvision_auth_key
{
    meta:
        id = "FV-BKDR-010"
        severity = "critical"
        confidence = "medium"
        description = "Hikvision web server accepts the fixed auth key YWRtaW46MTEK as administrator"
        cve = "CVE-2017-7921"
        reference = "https://ics-cert.us-cert.gov/advisories/ICSA-17-124-01"
    strings:
        $magic = "YWRtaW46MTEK"
        $auth = "auth="
        $isapi = "/ISAPI/"
        $psia = "/PSIA/"
        $users = "/Security/users"
        $snapshot = "/onvif-http/snapshot"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $magic and ($auth or $isapi or $psia or $users or $snapshot)
}

rule hikvision_auth_key_named
{
    meta:
        id = "FV-BKDR-010"
        severity = "low"
        confidence = "low"
        description = "Names the Hikvision backdoor auth key (an exploit or scanner script, or a mention)"
        cve = "CVE-2017-7921"
        reference = "https://ics-cert.us-cert.gov/advisories/ICSA-17-124-01"
    strings:
        $magic = "YWRtaW46MTEK"
    condition:
        $magic and not hikvision_auth_key
}

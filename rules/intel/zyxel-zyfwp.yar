/*
 * Zyxel USG/ATP/VPN/USG FLEX (ZLD 4.60) and NXC controllers: the
 * undocumented admin account "zyfwp" with the unchangeable password
 * "PrOw!aN_fXp", in clear text in a binary, logs in over SSH and the web
 * interface.  Niels Teusink (EYE), 2020.
 */
rule zyxel_zyfwp
{
    meta:
        id = "FV-BKDR-007"
        severity = "critical"
        confidence = "high"
        description = "Zyxel firmware holds the hidden admin account zyfwp with a fixed password"
        cve = "CVE-2020-29583"
        reference = "https://www.eyecontrol.nl/blog/undocumented-user-account-in-zyxel-products.html"
    strings:
        $password = "PrOw!aN_fXp"
        $account = "zyfwp"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $password and $account
}

rule zyxel_zyfwp_named
{
    meta:
        id = "FV-BKDR-007"
        severity = "low"
        confidence = "low"
        description = "Names the Zyxel zyfwp backdoor password, outside the program that checks it"
        cve = "CVE-2020-29583"
        reference = "https://www.eyecontrol.nl/blog/undocumented-user-account-in-zyxel-products.html"
    strings:
        $password = "PrOw!aN_fXp"
    condition:
        $password and not zyxel_zyfwp
}

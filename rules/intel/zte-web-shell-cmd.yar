/*
 * ZTE F460 / F660 (and ZXHN H108N and others): the hidden page
 * web_shell_cmd.gch runs shell commands sent with sendcmd requests ("set
 * TelnetCfg" turns on telnet with chosen credentials).  The backdoor is the
 * page itself, a text template in the web root, so this rule judges that
 * file by its name and content; in a program, the page name next to the
 * sendcmd handler.  Rapid7 R7-2013-18.
 */
rule zte_web_shell_cmd
{
    meta:
        id = "FV-BKDR-009"
        severity = "critical"
        confidence = "high"
        description = "ZTE web interface ships the hidden web_shell_cmd.gch page that runs shell commands"
        cve = "CVE-2014-2321"
        reference = "https://community.rapid7.com/community/infosec/blog/2014/03/03/disclosure-r7-2013-18-zte-f460-and-zte-f660-webshellcmdgch-backdoor"
    strings:
        $page = "web_shell_cmd.gch"
        $prompt = "input shell command" nocase
        $sendcmd = "sendcmd"
    condition:
        (fv_name == "web_shell_cmd.gch" and ($prompt or $sendcmd)) or
        ((fv_kind == "elf" or fv_kind == "data") and $page and $sendcmd)
}

rule zte_web_shell_cmd_named
{
    meta:
        id = "FV-BKDR-009"
        severity = "low"
        confidence = "low"
        description = "Names the ZTE web_shell_cmd.gch backdoor page"
        cve = "CVE-2014-2321"
        reference = "https://community.rapid7.com/community/infosec/blog/2014/03/03/disclosure-r7-2013-18-zte-f460-and-zte-f660-webshellcmdgch-backdoor"
    strings:
        $page = "web_shell_cmd.gch"
    condition:
        $page and not zte_web_shell_cmd
}

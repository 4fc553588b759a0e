/*
 * Grandstream GXV3611_HD / GXV3611IR_HD cameras: the telnet CLI has a
 * hidden command, typed as "!#/ port lol", that starts a root shell
 * without a password on TCP 20000.  Exploits reach the CLI through the
 * SQL injection CVE-2015-2866; the command itself has no CVE.
 *
 * The write-up gives the typed line, not the program's layout: "lol" is
 * the exploit's word, so in a program the rule looks for the command word
 * "!#/" and "port" as separate C strings, next to telnetd.
 */
rule grandstream_port_command
{
    meta:
        id = "FV-BKDR-012"
        severity = "high"
        confidence = "medium"
        description = "Grandstream camera CLI has a hidden command that opens a root shell on TCP 20000"
        reference = "https://www.exploit-db.com/exploits/40441"
    strings:
        $typed = "!#/ port lol"
        $command = { 00 21 23 2F 00 }
        $port = { 00 70 6F 72 74 00 }
        $telnetd = "telnetd"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and ($typed or ($command and $port)) and $telnetd
}

rule grandstream_port_command_named
{
    meta:
        id = "FV-BKDR-012"
        severity = "low"
        confidence = "low"
        description = "Names the Grandstream hidden CLI command (an exploit script or a mention)"
        reference = "https://www.exploit-db.com/exploits/40441"
    strings:
        $typed = "!#/ port lol"
    condition:
        $typed and not grandstream_port_command
}

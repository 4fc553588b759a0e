/*
 * SerComm "scfgmgr" test interface on TCP 32764 (Linksys WAG200G, Netgear
 * DG834, Cisco WAP4410N/RVS4000 and many more): every message starts with
 * the 32-bit magic 0x53634d4d ("ScMM", "MMcS" little-endian) and can dump
 * the configuration with passwords or run commands as root.
 *
 * The magic is a 32-bit constant, so it is in the program as four bytes
 * only where the compiler keeps constants in a literal pool (ARM, x86).
 * MIPS builds it with lui 0x5363 and ori (or addiu) 0x4d4d; the two hex strings find
 * that pair (big- and little-endian) within a few instructions.  The daemon
 * name is the second indicator: the magic alone is four bytes, which
 * random data holds about once every 4 GiB.
 */
rule sercomm_scfgmgr_32764
{
    meta:
        id = "FV-BKDR-003"
        severity = "critical"
        confidence = "medium"
        description = "SerComm scfgmgr answers ScMM/MMcS messages on TCP 32764: config dump and root commands"
        cve = "CVE-2014-0659"
        reference = "https://github.com/elvanderb/TCP-32764"
    strings:
        $be = "ScMM"
        $le = "MMcS"
        $mips_be = { 3C (00|01|02|03|04|05|06|07|08|09|0A|0B|0C|0D|0E|0F|10|11|12|13|14|15|16|17|18|19|1A|1B|1C|1D|1E|1F) 53 63 [0-24] (24|25|26|27|34|35|36|37) ?? 4D 4D }
        $mips_le = { 63 53 (00|01|02|03|04|05|06|07|08|09|0A|0B|0C|0D|0E|0F|10|11|12|13|14|15|16|17|18|19|1A|1B|1C|1D|1E|1F) 3C [0-24] 4D 4D ?? (24|25|26|27|34|35|36|37) }
        $daemon = "scfgmgr"
    condition:
        (fv_kind == "elf" or fv_kind == "data") and $daemon and any of ($be, $le, $mips_be, $mips_le)
}

package dev.lode.bundle;

/**
 * Constants of the PKWARE zip format (APPNOTE.TXT 6.3.10) that lode's writer and reader share.
 * Only what bundles need is here: stored, deflate and Zstandard methods, UTF-8 names, ZIP64.
 */
final class ZipFormat {
    static final int LOCAL_HEADER_SIG = 0x04034b50;
    static final int CENTRAL_HEADER_SIG = 0x02014b50;
    static final int EOCD_SIG = 0x06054b50;
    static final int ZIP64_EOCD_SIG = 0x06064b50;
    static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    static final int DATA_DESCRIPTOR_SIG = 0x08074b50;

    static final int LOCAL_HEADER_SIZE = 30;
    static final int CENTRAL_HEADER_SIZE = 46;
    static final int EOCD_SIZE = 22;
    static final int ZIP64_EOCD_SIZE = 56;
    static final int ZIP64_LOCATOR_SIZE = 20;
    static final int MAX_COMMENT = 0xFFFF;

    static final int ZIP64_EXTRA_ID = 0x0001;

    static final int METHOD_STORED = 0;
    static final int METHOD_DEFLATE = 8;
    /** Zstandard, APPNOTE 4.4.5 (method 93, "version needed" 6.3). */
    static final int METHOD_ZSTD = 93;

    /** APPNOTE 4.4.3: version 6.3 is needed for Zstandard entries. */
    static final int VERSION_ZSTD = 63;
    /** Host system "UNIX" in the high byte of "version made by": external attributes hold st_mode. */
    static final int HOST_UNIX = 3;

    static final int FLAG_ENCRYPTED = 0x0001;
    static final int FLAG_DATA_DESCRIPTOR = 0x0008;
    static final int FLAG_STRONG_ENCRYPTION = 0x0040;
    static final int FLAG_UTF8 = 0x0800;

    /** MS-DOS date 1980-01-01 and time 00:00:00: the fixed timestamp of every bundle entry. */
    static final int DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;

    static final int DOS_TIME_ZERO = 0;

    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;

    static final long U32_MAX = 0xFFFFFFFFL;
    static final int U16_MAX = 0xFFFF;

    private ZipFormat() {}
}

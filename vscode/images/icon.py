#!/usr/bin/env python3
"""Draws images/icon.png (256x256), the extension's Marketplace icon, with the standard library
only: the console helper's diamond on a dark rounded square, a keyhole cut into it.
Run from anywhere: python3 vscode/images/icon.py"""
import os
import struct
import zlib

SIZE, SS = 256, 4  # output size, supersampling per axis
BG, DIAMOND, HOLE = (17, 26, 46), (122, 162, 255), (17, 26, 46)


def inside_rounded_square(x, y, r=48):
    cx, cy = min(max(x, r), SIZE - r), min(max(y, r), SIZE - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def color_at(x, y):
    if not inside_rounded_square(x, y):
        return None
    c = SIZE / 2
    if abs(x - c) + abs(y - c) <= 92:  # the diamond
        keyhole_head = (x - c) ** 2 + (y - c + 14) ** 2 <= 19 ** 2
        keyhole_stem = abs(x - c) <= 9 + (y - c) * 0.12 and c - 14 <= y <= c + 40
        return HOLE if keyhole_head or keyhole_stem else DIAMOND
    return BG


def pixel(px, py):
    acc, n = [0, 0, 0, 0], SS * SS
    for i in range(SS):
        for j in range(SS):
            col = color_at(px + (i + 0.5) / SS, py + (j + 0.5) / SS)
            if col:
                acc[0] += col[0]; acc[1] += col[1]; acc[2] += col[2]; acc[3] += 255
    covered = acc[3] // 255
    if covered == 0:
        return (0, 0, 0, 0)
    return (acc[0] // covered, acc[1] // covered, acc[2] // covered, acc[3] // n)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


rows = b"".join(b"\0" + bytes(v for x in range(SIZE) for v in pixel(x, y)) for y in range(SIZE))
png = (b"\x89PNG\r\n\x1a\n"
       + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9))
       + chunk(b"IEND", b""))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
    f.write(png)

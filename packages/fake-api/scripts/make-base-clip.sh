#!/usr/bin/env bash
# Regenerates assets/base-clip.mp4 (run once; the result is committed) and src/base-clip.ts.
# 1 s of ffmpeg's test pattern, 160x90 at 8 fps, H.264 baseline, yuv420p, moov first (+faststart),
# bit-exact so reruns give the same bytes. A few KB: every fake output video is this clip plus a
# `free` box naming the job, so players and ffprobe accept it.
set -euo pipefail
cd "$(dirname "$0")/.."
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=160x90:rate=8" -t 1 \
  -c:v libx264 -preset veryslow -crf 38 -pix_fmt yuv420p -profile:v baseline \
  -movflags +faststart -an -map_metadata -1 -fflags +bitexact -flags +bitexact assets/base-clip.mp4
node scripts/embed-base-clip.mjs

#!/bin/sh
# Regenerates the committed English speech fixtures (needs espeak-ng and ffmpeg; run from this folder).
# A fresh machine does not need this: the .ogg files are committed.
set -eu
tmp=$(mktemp -d)
espeak-ng -v en-us -s 140 -w "$tmp/river.wav" \
  "The river carries the boat past the green village. Please call the radio station tomorrow morning."
espeak-ng -v en-gb -s 145 -w "$tmp/farmers.wav" \
  "Seven farmers planted rice near the big market in the north."
for name in river farmers; do
  ffmpeg -loglevel error -y -i "$tmp/$name.wav" -ar 16000 -ac 1 -c:a libopus -b:a 24k -application voip \
    -map_metadata -1 "speech_en_$name.ogg"
done
rm -rf "$tmp"

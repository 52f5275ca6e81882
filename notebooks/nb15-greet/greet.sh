#!/bin/sh
echo "$GREETING, $*!"

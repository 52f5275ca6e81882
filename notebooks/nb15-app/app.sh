#!/bin/sh
echo "the app: it read a token of $(cat /app/token-length) bytes at build time"

#!/bin/sh
# The page of lesson 14's app: each visit asks the store to count one more (INCR visits) and
# shows the count. The store is found by its name (STORE_HOST): Docker's DNS on the network.
count=$(printf 'INCR visits\r\n' | nc -w 2 "${STORE_HOST:-store}" 6379 | tr -dc 0-9)
printf 'Content-Type: text/html; charset=utf-8\r\n\r\n'
cat <<PAGE
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Visit counter</title></head>
<body>
<main>
<h1>Visit counter</h1>
PAGE
if [ -n "$count" ]; then
  echo "<p>This page has been visited <strong id=\"count\">$count</strong> times.</p>"
else
  echo "<p>The store at <code>${STORE_HOST:-store}:6379</code> did not answer: is it running, on this network?</p>"
fi
cat <<PAGE
<p>Served by the container <code>$(hostname)</code>; the count is kept by <code>${STORE_HOST:-store}</code>.</p>
</main>
</body>
</html>
PAGE

#!/bin/sh
# A test that never finishes but can be killed: the guest's timeout ends it.
echo "provoke: sleeping forever"
exec sleep 1000000

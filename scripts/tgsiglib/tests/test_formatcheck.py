# SPDX-License-Identifier: GPL-2.0
import unittest

from tgsiglib import formatcheck


class Format(unittest.TestCase):
    def test_the_guest_format_has_every_reason_as_a_number(self):
        with open(formatcheck.FORMAT, encoding='utf-8') as f:
            text = f.read()
        for value, reason in enumerate(formatcheck.REASONS):
            self.assertIn('{ %d, "%s" }' % (value, reason), text)

    def test_without_enum_export_names_every_value(self):
        with open(formatcheck.FORMAT, encoding='utf-8') as f:
            text = formatcheck.without_enum_export(f.read())
        self.assertIn('{ TRACE_SIGNAL_WAKE_NAMED, "named" }', text)
        self.assertIn('{ TRACE_SIGNAL_WAKE_SIGPENDING, "sigpending" }', text)
        self.assertNotRegex(text, r'\{ \d, "')

    def test_decoded_reads_value_and_reason(self):
        out = ('0\tsig=10 tgid=1 named=1 chosen=2 reason=named threads=0\n'
               '3\tsig=10 tgid=1 named=1 chosen=0 reason=0x3 threads=0\n'
               'junk\n')
        self.assertEqual([(0, 'named'), (3, '0x3')],
                         formatcheck.decoded(out))

# SPDX-License-Identifier: GPL-2.0
"""The tgsig harness: one module a job, as in tools/testing/kunit."""

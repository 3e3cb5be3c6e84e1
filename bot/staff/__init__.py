"""Clinic staff tools: figures, exports, a report, a read-only browser and QR posters.

Everything here reads the staff tables only (intakes and progress) and shows no free text,
except `intake export --with-free-text`; sessions and pseudonyms are never touched.
"""

"""data/synth"""

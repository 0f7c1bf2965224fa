"""Evaluates this Pulumi program offline, under Pulumi's mock engine: no CLI, no cloud."""

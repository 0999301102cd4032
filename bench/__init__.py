"""ferry's benchmark harness: ferry beside uv and pip, one run, one loopback mirror.

Absolute times depend on the machine; ratios measured side by side in one run do not (much).
So the harness mirrors each workload's files once, serves them on 127.0.0.1 (the network must
not decide the result), and reports ferry/uv and pip/ferry for every scenario.
"""

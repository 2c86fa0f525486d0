"""The aiohttp shell: turns HTTP into calls on the core facade (`mockums.core.Sandbox`) and performs
its replies; the control API, the dashboard, transport faults, background loops, the runner and its workers."""

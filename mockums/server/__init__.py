"""The aiohttp shell: translates HTTP to calls into `mockums.core.sandbox` and back."""

"""The aiohttp shell: translates HTTP to calls into `mockums.sandbox` and back."""

"""A unittest suite: one sandbox for the class (Python 3.11's enterClassContext), reset before each test."""

import json
import unittest
import urllib.request
from datetime import datetime, timedelta, timezone

import mockums

CLOSE = "/v1/netpay/wx/app-pre-close"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the sandbox is local: no proxy


class CloseOrderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sandbox = cls.enterClassContext(mockums.serving())

    def setUp(self):
        self.sandbox.reset()  # no order, journal entry or added scenario left from the last test

    def close(self, mer_order_id):
        """The shop's client: one signed close request."""
        now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
        body = json.dumps({"requestTimestamp": now, "merOrderId": mer_order_id, "instMid": "APPDEFAULT",
                           "mid": "898201612345678", "tid": "88880001"}).encode()
        headers = {"Content-Type": "application/json", "Authorization": self.sandbox.sign(body)}
        request = urllib.request.Request(self.sandbox.url + CLOSE, data=body, headers=headers)
        with NO_PROXY.open(request, timeout=10) as answer:
            return json.load(answer)

    def test_an_unknown_order_is_not_found(self):
        self.assertEqual(self.close("3194UNIT0001")["errCode"], "NO_ORDER")  # as the real gateway answers

    def test_a_magic_id_needs_no_create(self):
        self.assertEqual(self.close("MKSUCCESS3194UNIT01")["status"], "TRADE_CLOSED")

    def test_wechat_refuses_the_close(self):
        with self.sandbox.scenario("""
            scenarios:
              - name: wechat-refuses
                match: {merOrderIdPrefix: "3194REFUSE"}
                respond: {fields: {errCode: TARGET_FAIL, errMsg: 微信方失败}}
        """):
            self.assertEqual(self.close("3194REFUSE0001")["errCode"], "TARGET_FAIL")
        self.sandbox.assert_requested(CLOSE, merOrderId="3194REFUSE0001", times=1, errCode="TARGET_FAIL")

"""Tickets for tourism products: dated time slots with a capacity, and one
ticket per unit bought.

A variant of a product in OCOP category "dịch vụ du lịch" is sold by slot,
never from `Stock`: `TimeSlot.booked` counts the places held by unpaid orders
and sold to paid ones, and a check constraint keeps it within `capacity`, so
a bug in a service still cannot oversell. `booked` changes only through
`market.tickets.booking` (under the slot row's lock, with `F()`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from market.checkout.models import Order, OrderLine
from market.models import Seller, Variant


class TimeSlot(models.Model):
    """One dated session of a tour (say 8:00–9:30 on 12 January) and its places."""

    variant = models.ForeignKey(
        Variant,
        on_delete=models.CASCADE,
        related_name="time_slots",
        verbose_name=_("loại vé"),
    )
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    capacity = models.PositiveIntegerField(_("số chỗ"))
    booked = models.PositiveIntegerField(_("đã đặt"), default=0, editable=False)

    class Meta:
        verbose_name = _("khung giờ")
        verbose_name_plural = _("khung giờ")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["variant", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_booked_within"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant} · {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class TicketStatus(models.TextChoices):
    HELD = "held", _("Đang giữ chỗ (chưa thanh toán)")
    VALID = "valid", _("Còn hiệu lực")
    USED = "used", _("Đã dùng")
    CANCELLED = "cancelled", _("Đã hủy")
    REFUNDED = "refunded", _("Đã hoàn tiền")


# Tickets that take a place in their slot.
HOLDING = (TicketStatus.HELD, TicketStatus.VALID, TicketStatus.USED)


class Ticket(models.Model):
    """One person's entry to one slot, bought on one order line.

    Its QR carries a signed link (`market.tickets.codes`); the signature, not
    the id, is what makes a ticket genuine.
    """

    slot = models.ForeignKey(
        TimeSlot,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("khung giờ"),
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="tickets",
        verbose_name=_("đơn hàng"),
    )
    line = models.ForeignKey(
        OrderLine,
        on_delete=models.CASCADE,
        related_name="tickets",
        verbose_name=_("dòng đơn hàng"),
    )
    # Denormalised from the slot's product, so scoping a seller's tickets is
    # one indexed filter.
    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="+", verbose_name=_("người bán")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=TicketStatus.choices,
        default=TicketStatus.HELD,
        db_index=True,
    )
    checked_in_at = models.DateTimeField(_("soát vé lúc"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người soát vé"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

    class Meta:
        verbose_name = _("vé")
        verbose_name_plural = _("vé")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="used", checked_in_at__isnull=False)
                | ~Q(status="used"),
                name="ticket_used_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"V{self.pk}"

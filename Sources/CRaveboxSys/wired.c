// spidev and i2c-dev ioctls for the wired LED outputs (RaveboxLights' SPIDevice and I2CDevice).
// Swift cannot call the variadic ioctl(2) or build SPI_IOC_MESSAGE(n), so these few lines live here.
#include "CRaveboxSys.h"

#include <errno.h>
#include <linux/i2c-dev.h>
#include <linux/spi/spidev.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

int rb_spi_configure(int fd, uint8_t mode, uint8_t bits_per_word, uint32_t speed_hz) {
    // The mode ioctl goes first: on anything that is not spidev it is the one that fails with ENOTTY.
    if (ioctl(fd, SPI_IOC_WR_MODE, &mode) != 0) return errno;
    if (ioctl(fd, SPI_IOC_WR_BITS_PER_WORD, &bits_per_word) != 0) return errno;
    if (ioctl(fd, SPI_IOC_WR_MAX_SPEED_HZ, &speed_hz) != 0) return errno;
    return 0;
}

int rb_spi_transfer(int fd, const void *buffer, uint32_t length, uint32_t speed_hz) {
    struct spi_ioc_transfer transfer;
    memset(&transfer, 0, sizeof transfer);
    transfer.tx_buf = (uint64_t)(uintptr_t)buffer;
    transfer.len = length;
    transfer.speed_hz = speed_hz;
    transfer.bits_per_word = 8;
    for (;;) {
        int sent = ioctl(fd, SPI_IOC_MESSAGE(1), &transfer);
        if (sent >= 0) return (uint32_t)sent == length ? 0 : EIO;
        if (errno != EINTR) return errno;
    }
}

int rb_i2c_set_address(int fd, uint8_t address) {
    return ioctl(fd, I2C_SLAVE, (unsigned long)address) == 0 ? 0 : errno;
}
